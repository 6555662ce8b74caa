"""Resource groups of :class:`~playground.api.client.AssistantsClient`: the verbs."""
