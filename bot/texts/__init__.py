"""Every Dutch text a user or an admin reads, in one package, split by audience.

- :mod:`bot.texts.chat`: replies to commands, button labels, pop-ups, the command menu.
- :mod:`bot.texts.push`: pushes, digests and item lists (headings, "via …", dates).
- :mod:`bot.texts.admin`: ``/status``, feed alerts and feed failure reasons by key.
- :mod:`bot.texts.topics`: the kinds of follow and the question for an ambiguous word.
- :mod:`bot.texts.console`: ``nieuwsbot console``'s own lines around the chat.

Texts are Telegram HTML unless a function says plain text. This package imports
only :mod:`bot.core` and the standard library, so every layer may use it.
"""
