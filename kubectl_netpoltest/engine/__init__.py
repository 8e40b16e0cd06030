"""prepare / execute / cleanup over the cluster gateway: the product's job, free of CLI concerns."""
