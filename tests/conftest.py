"""Shared pytest setup: loopback servers come from the plugin modules below."""

pytest_plugins = ["tests.plugin_telegram", "tests.plugin_feeds"]
