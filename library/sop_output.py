#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the `sop_output` action, implemented in plugins/action/sop_output.py.

Like ansible.builtin.debug, the action runs on the controller; this file only documents it
(ansible-doc reads modules from library/).
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sop_output
short_description: Record a result of a SOP activity as evidence for the C(sop) runner
description:
  - Returns O(data) as the task's C(sop_output). When the playbook runs under C(sop run),
    the runner records it as an output of the SOP activity the task belongs to (by tag),
    and the monthly report lists it (a file with C(path) and C(sha256) is listed as ADK).
  - >-
    Runs on the controller, without a connection to the host. Never put secrets in O(data)
    or O(msg). What looks like one is masked (C(***)) before the runner records it, as a
    module masks its result (C(mask_text) of C(module_utils/sop_secrets.py): a URL's
    C(user:password@), a command's password option, a C(password: x) setting in a text) and
    a vaulted value given whole, through any variable; a secret in other words (a vaulted
    value inside a longer text, a plain variable) is not.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - sop_runner_action
options:
  data:
    description:
      - The output to record, small and secret-free (for example path, size, sha256, counts).
      - A mapping, or a list of mappings (one output each); anything else fails the task,
        as the runner would not record it.
    type: raw
    required: true
  msg:
    description: An optional human-readable line shown in the play output.
    type: str
notes:
  - Ansible without the C(sop) runner simply shows the data; nothing else happens.
"""

EXAMPLES = r"""
- name: Record the backup file as SOP output
  sop_output:
    data:
      path: "{{ sipp_backup_result.path }}"
      size: "{{ sipp_backup_result.size }}"
      sha256: "{{ sipp_backup_result.sha256 }}"
    msg: Backup tersimpan di {{ sipp_backup_result.path }}
"""

RETURN = r"""
sop_output:
  description: The recorded data, as given, what looks like a secret masked.
  returned: always
  type: raw
msg:
  description: The message given in O(msg).
  returned: when O(msg) is set
  type: str
"""
