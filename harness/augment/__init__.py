"""Training-set augmentation (training split only, seeded). Each option is a module with one
entry point returning the *extra* examples: `augment(texts, labels, seed) -> (new_texts, new_labels)`;
`conf/augmentation/<name>.yaml` points at it."""

__all__: list[str] = []
