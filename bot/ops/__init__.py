"""What operators and admins see: /status, feed alerts, check --online."""
