"""The Docker image, built and run for real (marker `docker`; `.ci/run` runs it)."""
