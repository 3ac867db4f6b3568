"""The nieuwsbot command line: run, check, fetch, tag, console."""
