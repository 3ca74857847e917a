from katiblint.cli import run

run()
