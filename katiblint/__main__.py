from katiblint.cli import main

raise SystemExit(main())
