"""What the website SOP leaves on the web server: real archives, dumps and manifests."""

import json

import pytest
import testinfra

WEB = testinfra.get_host("podman://mol-website-web")
STORE = testinfra.get_host("podman://mol-website-store")


@pytest.fixture
def web(host):
    if host.backend.get_hostname() != "mol-website-web":
        pytest.skip("web server checks")
    return host


def manifests(web, prefix):
    names = web.check_output(
        f"ls /var/backups/website | grep '^{prefix}-[0-9].*[.]manifest[.]json$' || true")
    return [{**json.loads(web.file(f"/var/backups/website/{n}").content_string),
             "name": n.removesuffix(".manifest.json")} for n in names.split()]


def test_files_archive_lists_the_wordpress_site(web):
    found = manifests(web, "website")
    assert found and found[-1]["verified"] is True
    archive = "/var/backups/website/" + found[-1]["name"]
    listing = web.check_output(f"zstd -dc {archive} | tar -t --absolute-names")
    assert "/usr/share/wordpress/wp-login.php" in listing
    assert "/var/lib/wordpress/wp-content/themes/pengadilan/index.php" in listing
    assert "/etc/wordpress/config-default.php" in listing
    assert len(listing.splitlines()) == found[-1]["entries"]
    assert web.check_output(f"sha256sum {archive}").split()[0] == found[-1]["sha256"]
    assert web.file(archive).mode == 0o600


def test_database_dump_restores_the_posts(web):
    found = manifests(web, "website-db")
    assert found  # not verified yet: the restore on the backup computer is still to come
    dump = "/var/backups/website/" + found[-1]["name"]
    assert web.check_output(f"sha256sum {dump}").split()[0] == found[-1]["sha256"]
    web.check_output(
        "mariadb -e 'DROP DATABASE IF EXISTS wp_restore_test; CREATE DATABASE wp_restore_test'")
    web.check_output(f"zstd -dc {dump} | mariadb wp_restore_test")
    titles = web.check_output("mariadb -N wp_restore_test -e "
                              "\"SELECT post_title FROM wp_posts WHERE post_status='publish'\"")
    web.check_output("mariadb -e 'DROP DATABASE wp_restore_test'")
    assert "Jadwal pelayanan PTSP selama libur nasional" in titles


# Planted by prepare.yml: another court's web server pushing to the same user.
OTHER_COURT = ('command="/usr/local/sbin/sop-backup-receive --keep-free=5 --prefix=website '
               '--prefix=website-db /srv/backup/incoming/website-400996",restrict ssh-ed25519 '
               'AAAAC3NzaC1lZDI1NTE5AAAAIEvgtylnkGea6zZfJBl/LCSJ7Ca8W81Ijm5oDU1jO6aL '
               'sipp-backup@pn-other-web')


def test_push_keys_of_retired_web_servers_are_removed():
    """The web server's key is authorized for its own in-tray and prefixes; the key of the
    retired web server (website_backup_retired_servers), planted by prepare.yml, is gone,
    and the line of a server this inventory does not name stays."""
    keys = STORE.file("/var/lib/webbackup/.ssh/authorized_keys").content_string.splitlines()
    ours = WEB.file("/root/.ssh/website_backup_ed25519.pub").content_string.split()[1]
    assert keys == [OTHER_COURT, (
        'command="/usr/local/sbin/sop-backup-receive --keep-free=5 --prefix=website '
        '--prefix=website-db /srv/backup/incoming/website-400997",restrict '
        f"ssh-ed25519 {ours} sipp-backup@mol-website-web")]
