"""The live side of the product: feed subscriptions polled by ``watch``, alerts on saved views."""
