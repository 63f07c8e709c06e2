"""The built-in lab: one court as podman containers with systemd and real SSH."""
