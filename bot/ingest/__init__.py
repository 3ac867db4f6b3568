"""Stage 1: feeds in. Fetch (httpx), parse, build items, decide (pure), the poll cycle."""
