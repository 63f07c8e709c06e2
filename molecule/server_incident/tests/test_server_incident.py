"""After the incident scenario: the remediated services run, the filled disk is free."""


def test_services_running_again(host):
    assert host.service("mariadb").is_running
    assert host.service("nginx").is_running


def test_nginx_answers(host):
    assert host.run("curl -fsS -o /dev/null http://localhost/").rc == 0


def test_disk_free_again(host):
    assert not host.file("/srv/sipp-data/isi").exists
    assert host.mount_point("/srv/sipp-data").filesystem == "tmpfs"
