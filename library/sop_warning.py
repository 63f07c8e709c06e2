#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the `sop_warning` action, implemented in plugins/action/sop_warning.py.

Like ansible.builtin.debug, the action runs on the controller; this file only documents it
(ansible-doc reads modules from library/).
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sop_warning
short_description: Warn about something a SOP activity found, as a warning the C(sop) runner records
description:
  - Returns O(msg) as the task's C(warnings). Ansible shows each message as a C([WARNING]) line,
    and when the playbook runs under C(sop run), the runner records it as a warning of the SOP
    activity the task belongs to (by tag), which the monthly report lists. A warning does not
    fail the task or the activity.
  - Use it instead of M(ansible.builtin.debug) for a role's own warnings (a debug message is
    shown, never recorded), for example the notes of a C(no_log) task, whose own warnings
    the record cannot show.
  - Runs on the controller, without a connection to the host. Never put secrets in O(msg);
    a vaulted value given whole as a message is shown and recorded as C(***).
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - sop_runner_action
options:
  msg:
    description:
      - The warning, or a list of warnings, each one line, secret-free. A blank message is
        left out.
      - No C(PERINGATAN:) prefix is needed, Ansible shows C([WARNING]:) and the runner's
        record and report say C(Peringatan).
    type: raw
    required: true
notes:
  - Ansible without the C(sop) runner simply shows the warnings; nothing else happens.
seealso:
  - module: sop_output
"""

EXAMPLES = r"""
- name: Warn about what must be renewed soon (the activity still passes)
  sop_warning:
    msg: "{{ item }}"
  loop: "{{ website__renewals.warnings_id }}"

- name: Warn about what the CMS configuration says that is not used
  sop_warning:
    msg: "{{ website__cms.notes }}"
  when: website__cms.notes | default([]) | length > 0
"""

RETURN = r"""
msg:
  description: The message(s) given in O(msg).
  returned: always
  type: raw
warnings:
  description: The messages of O(msg) that are not blank, as a list.
  returned: always
  type: list
  elements: str
"""
