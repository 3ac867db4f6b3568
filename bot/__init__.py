"""nieuwsbot: a Telegram bot that pushes Dutch news about the topics you follow."""

import os

__version__ = "0.1.0"

# Opt in to python-telegram-bot's coming behaviour: durations such as
# RetryAfter.retry_after are timedeltas. Without it PTB 22 warns on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")
