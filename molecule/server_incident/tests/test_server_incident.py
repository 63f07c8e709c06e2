"""After the incident scenario: the remediated services run. (The filled disk is freed by
the converge's own task and the tmpfs is the platform's: no check of them here could
fail because of the SOP.)"""


def test_services_running_again(host):
    assert host.service("mariadb").is_running
    assert host.service("nginx").is_running
    assert host.service("php8.2-fpm").is_running  # its pool repaired after the diagnosis


def test_nginx_answers(host):
    assert host.run("curl -fsS -o /dev/null http://localhost/").rc == 0
