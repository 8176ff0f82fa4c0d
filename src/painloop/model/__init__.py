"""The mechanistic model: one module per subsystem, assembled in :mod:`painloop.model.system`."""
