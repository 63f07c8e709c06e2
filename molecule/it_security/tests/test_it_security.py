"""What the SOP leaves on its hosts: the journal cursor (root only), and nothing else."""


def test_cursor_kept_privately(host):
    cursor = host.file("/var/lib/sop/security_ssh_audit.cursor")
    assert cursor.is_file
    assert cursor.content_string.startswith("s=")
    assert host.file("/var/lib/sop").mode == 0o700


def test_no_rules_file_scratch_folder_or_scratch_database_left(host):
    assert not host.run("ls -d /tmp/sop-yara-* 2>/dev/null").stdout.strip()
    assert not host.run("ls -d /var/tmp/sop-drill-* 2>/dev/null").stdout.strip()
    if host.backend.hostname.endswith("backup"):
        out = host.check_output("mariadb -N -e \"SHOW DATABASES LIKE 'sop\\\\_verify\\\\_%'\"")
        assert out == ""
