"""`sop`: run a court's IT SOPs as Ansible playbooks and record the evidence."""

__version__ = "0.1.0"
