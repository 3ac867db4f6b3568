"""Stage 3: news out. Match, plan, route into the outbox, format, send at Telegram's pace."""
