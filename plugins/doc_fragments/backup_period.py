# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the backup modules that decide whether this period already has its
verified backup here (mariadb_backup, website_files_backup: sop_backup_files.find_verified
and PERIOD_ARGUMENT_SPEC)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  held:
    description:
      - >-
        Names of the backups of the prefix that the backup computer's record holds whole
        and verified (the names in M(backup_ingest)'s RV(backup_ingest#module:verdicts)).
        Given, a verified backup here counts as this period's only when it is named in it;
        one whose copy there is damaged or gone, one pruned there, or one never taken in
        there (a new backup computer, a moved store) does not, so a new one is taken
        (and pushed and verified as usual); the file here is kept.
      - Not given, the verification marks of the manifests here are trusted (no backup
        computer).
    type: list
    elements: str
  reconciled:
    description:
      - In check mode, the names of backups here whose manifest is still pending and that
        M(backup_manifest) V(reconcile) run before in check mode would have marked verified
        (its RV(backup_manifest#module:marked)). Check mode writes no mark, so they count
        as verified here, as a real run's marked manifests do, and one of this period is
        the period's backup a real run would find.
      - A real run reads the marks from the manifests and does not use it.
    type: list
    elements: str
    default: []
"""
