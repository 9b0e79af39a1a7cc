"""One repository per table: typed filters, keyset pages, cheap counts, versioned updates."""
