"""Test doubles of the outside world, shipped in the package for the console.

``telegram.FakeTelegram`` is a fake Bot API server (long polling, webhooks,
Telegram's HTML subset, flood limits, scripted faults) and ``feeds.FeedServer``
a feed server with conditional GET and faults, both on 127.0.0.1. The tests and
benchmarks use them to drive the real python-telegram-bot and httpx stacks;
``nieuwsbot console`` uses them so a newcomer can chat with the real bot without
a token. Nothing in production code paths imports this package.
"""
