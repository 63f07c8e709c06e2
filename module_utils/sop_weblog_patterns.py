# GPL-3.0-or-later
"""The attack-probe patterns of the access-log audit, organised by the categories of the
OWASP Core Rule Set (CRS). The patterns are the project's own (not CRS rules); each
category names the CRS rule file it corresponds to.

A request target is matched after undoing the web server's log escapes (nginx's \\xHH,
Apache's \\" and \\\\), URL-decoding up to DECODE_ROUNDS times and lower-casing; user
agents are matched lower-cased, and, like referers, for injection after undoing the log
escapes. Stdlib only (runs on the managed host).

A pattern ends at the end of what it reads with \\Z, never $: Python's $ also matches
before a final newline, and a target's %0a is decoded into one. /wp-login.php%0a asks the
web server for a file named so with a newline (no login), /x/..%0a names no parent
folder, /.env%0a no .env.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote_to_bytes

# A Log4j lookup: '${' and a lookup's name (word characters, '.' and '-', or none) and its
# ':' (${jndi:, ${::-j}), or, within a few characters, the '${' of a lookup nested to
# build the name (${${lower:j}ndi:, ${${::-j}${::-n}di:, ${j${env:x:-n}di:,
# ${${date:'j'}ndi:, ${${k8s:k5:-j}ndi:, a made-up name's default ${${zrch-q:-j}ndi:).
# Every Log4Shell payload opens so, as the name it builds is 'jndi': at most 'jnd' comes
# before the first nested '${'. A template's unrendered ${item.src}, ${page ? page : 1}
# (a JavaScript ternary) or ${$t('home')} (Vue's i18n) is no lookup.
LOG4J_LOOKUP = r"\$\{(?:[\w.-]{0,16}:|[^}]{0,16}\$\{)"
# What MySQL reads as a space between SQL words: a space, a comment (/**/, sqlmap's
# space2comment), or either end of a versioned comment, whose words it runs
# (/*!50000union*/ is union). An opening /*! is never read as a whole comment too (one
# reading of each text: a long run of them costs no backtracking).
_SQL_GAP = r"(?:\s|/\*(?!!)[^*]{0,64}\*/|/\*!\d{0,6}|\*/)"
# category: (CRS reference, title in the report's language, patterns on the decoded target)
TARGET_CATEGORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "sqli": ("CRS 942 SQLi", "injeksi SQL", (
        rf"union(?:{_SQL_GAP}|[+(])+(?:(?:all|distinct(?:row)?)(?:{_SQL_GAP}|[+(])+)?select\b",
        r"\bselect\b.{1,100}\bfrom\b",
        # a quote (and brackets) closed, a condition and a comparison ('1'='1, "a"="a, 1=1,
        # ') or ('x' like 'x): a search for quoted words joined by 'or' ("ketua
        # pengadilan" or "wakil") is none
        rf"['\"`]\){{0,3}}{_SQL_GAP}*(?:or|and|xor|\|\||&&){_SQL_GAP}*['\"(\d][^&=<>]{{0,32}}"
        r"(?:[=<>]|like\b)",
        rf"\b(?:or|and){_SQL_GAP}+['\"]?\d+['\"]?{_SQL_GAP}*(?:=|<|>|like){_SQL_GAP}*['\"]?\d",
        r"\b(?:sleep|benchmark|pg_sleep)\s*\(",
        r"waitfor\s+delay",
        r";\s*(?:drop|insert|update|delete|truncate|alter|create|exec)\s",
        r"information_schema|sys\.user_objects|mysql\.user",
        # the server's own variables, asked for to learn what it is (@@version)
        r"@@(?:version|datadir|basedir|hostname|tmpdir|servername|global\.|session\.)",
        r"\b(?:extractvalue|updatexml|load_file|group_concat)\s*\(",
        r"\bconcat\s*\(.{0,40}0x[0-9a-f]",
        r"(?:'|\d)\s*(?:--|#)[\s-]*\Z",  # one run: \s*-?\s* tried every split, n^2
        r"\border\s+by\s+\d+\s*(?:--|#)",
    )),
    "lfi": ("CRS 930 LFI", "path traversal / penyertaan berkas lokal", (
        r"(?:\.\.|%2e%2e|%252e)[/\\]",
        r"[/\\]\.\.(?:[/\\]|\Z)",
        r"/etc/(?:passwd|shadow|group|hosts|issue|crontab)",
        r"/proc/(?:self|\d+)/(?:environ|cmdline|fd)",
        r"(?:boot|win)\.ini|windows[/\\]system32",
        r"(?:file|page|path|include|template|doc|folder|dir)=/",
    )),
    "rfi": ("CRS 931 RFI", "penyertaan berkas jarak jauh", (
        r"(?:file|page|path|include|inc|template|url|src|doc|dir)=(?:https?|ftps?|smb)://"
        r"[^&]{0,512}\?",
        # an address for a name; not WordPress's redirect_to back to a private or loopback
        # one (staff opening the site by its LAN address: wp-login.php?redirect_to=...)
        r"(?:(?<!redirect_to)|(?!=https?://(?:10|127|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.))"
        r"=(?:https?|ftp)://\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
    )),
    "rce": ("CRS 932 RCE", "eksekusi perintah jarak jauh", (
        # a command after a separator (a newline too: %0a), ended as the shell ends its
        # name (a closing backtick, `id`; ${IFS}, a space without a space). The spaces
        # after a separator hold no newline: a run of newlines (%0a%0a...) is read from its
        # last one, not from each again to its end (n^2)
        r"[;|`&\n][^\S\n]*(?:cat|id|uname|whoami|wget|curl|nc|ncat|bash|sh|ping|ls|chmod|rm)"
        r"(?:\s|\Z|;|\||`|\$)",
        r"\$\([^)]{1,80}\)",
        r"\(\s*\)\s*\{",
        r"/bin/(?:ba|z|da)?sh\b",
        r"\b(?:cmd|exec|command|execute|shell)=",
    )),
    "php": ("CRS 933 PHP", "injeksi PHP", (
        r"php://(?:input|filter)|phar://|expect://|data://text",
        r"<\?php|<\?=",
        r"allow_url_include|auto_prepend_file|disable_functions",
        r"\b(?:base64_decode|gzinflate|str_rot13|phpinfo|system|passthru|shell_exec|"
        r"proc_open|popen|assert|eval)\s*\(",
        r"eval-stdin\.php",
        # ThinkPHP 5's routing run as code (?s=/index/\think\app/invokefunction&
        # function=call_user_func_array&vars[0]=system), and the callbacks it names
        r"\\think\\|\binvokefunction\b|\bcall_user_func(?:_array)?\b",
    )),
    "xss": ("CRS 941 XSS", "cross-site scripting", (
        r"<\s*(?:script|iframe|svg|img|body|object|embed)\b",
        r"javascript:|vbscript:",
        r"\bon(?:error|load|mouseover|focus|click)\s*=",
        r"document\.(?:cookie|location)|alert\s*\(",
    )),
    "java": ("CRS 944 Java", "injeksi Java (Log4Shell)", (
        LOG4J_LOOKUP,
        r"class\.module\.classloader",
    )),
    "webshell": ("CRS 955 web shell", "probe webshell", (
        # a shell's name (the file requested, in the root or a folder). Not a WordPress core
        # file of such a name, itself or with a PATH_INFO: the Media Library, the updater
        # and the database upgrade (/wp-admin/upload.php, update.php, upgrade.php, the last
        # two under network/ too), the files they include (wp-admin/includes/update.php,
        # upgrade.php, wp-includes/update.php) and Text_Diff's shell engine; scanners ask
        # for them, they answer 200, and website_integrity watches what they hold. Nor a
        # plugin's main file, named as its folder
        # (/wp-content/plugins/updraftplus/updraftplus.php, which scanners ask for to learn
        # the plugin's version, and which answers 200)
        r"(?:^|/(?!(?<=/wp-content/plugins/)(?P<plugin>[^/]{1,128})/(?P=plugin)\.php\b)[^/]*)"
        r"(?!(?:(?<=/wp-admin)|(?<=/wp-admin/network)|(?<=/wp-admin/includes))"
        r"/up(?:date|grade)\.php(?![^/])|(?<=/wp-admin)/upload\.php(?![^/])"
        r"|(?<=/wp-includes)/update\.php(?![^/])"
        r"|(?<=/wp-includes/text/diff/engine)/shell\.php(?![^/]))"
        r"/(?:wso|c99|r57|alfa|alfa-rex|b374k|shell|cmd|up|uploader|webshell|indoxploit|"
        r"priv8|wp-shell|1337|mini|marijuana|leaf|bypass|haxor|sym|symlink|0x)\w{0,12}"
        r"\.(?:php\d?|phtml|phar)\b",
        r"/wp-content/uploads/[^?]{0,256}\.(?:php\d?|phtml|phar|pht|shtml)\b",
        r"/\.well-known/[^?]{0,256}\.php\b",
        # names shells take in WordPress's sub-folders; a multisite's network and user
        # admin have their own about.php (wp-admin/network/about.php, wp-admin/user/...)
        r"/wp-(?:includes/|admin/(?!(?:network|user)/about\.php(?:\?|\Z)))[^?]{0,256}/"
        r"(?:about|radio|alfa|xmrlpc|wp-conflg|css|install)\.php\b",
        r"/wp-content/(?:plugins|themes)/[^/?]+/(?:up|shell|cmd|wso|alfa|ws|mini)\.php\b",
    )),
    # A NUL byte (%00) ends a name where PHP's or C's file functions read it: /.env%00,
    # /dump.sql%00.jpg ask for the file before it.
    "restricted_file": ("CRS 930130/920440", "file terlarang", (
        r"/\.(?:env|git|svn|hg|bzr|htaccess|htpasswd|ds_store|aws|ssh|docker|vscode|idea)"
        r"(?:/|\Z|\.|\?|\x00)",
        r"\.(?:sql|bak|old|orig|swp|save|dump|backup|log|ini|conf|cfg|pem|key|db|sqlite)"
        r"(?:\Z|\?|\x00)",
        # an archive, except one the Media Library keeps in its dated folders (a form or
        # a document the court publishes, downloaded by its visitors)
        r"^(?![^?]*/wp-content/uploads/\d{4}/\d{2}/[^/?]*\.(?:tar|tgz|tar\.gz|zip|rar|7z)"
        r"(?:\?|\Z))(?s:.*?)\.(?:tar|tgz|tar\.gz|zip|rar|7z)(?:\Z|\?)",
        r"wp-config\.php[^?/]|wp-config\.php\Z|/wp-config\b",
        r"/(?:server-status|server-info|web\.config|composer\.(?:json|lock)|phpinfo\.php|"
        r"info\.php|test\.php|\.user\.ini|docker-compose\.ya?ml)\b",
    )),
    "admin_probe": ("CRS 913/920", "probe panel admin", (
        r"/(?:phpmyadmin|pma|myadmin|mysqladmin|dbadmin|adminer|sqlmanager|phpminiadmin)"
        r"[^/]*(?:/|\Z)",
        r"/administrator/|/admin/(?:config|login)\.php|/manager/html|/jmx-console",
        r"/wp-admin/(?:setup-config|install|upgrade)\.php",
        r"/(?:cgi-bin|boaform|hnap1|goform|hudson|jenkins|solr|actuator|console|"
        r"owa|remote/login|vendor/phpunit|telescope|_ignition)\b",
    )),
}
# user agents of attack tools (CRS 913 scanner detection)
SCANNER_AGENTS = re.compile(
    r"nikto|sqlmap|nmap|masscan|zgrab|nuclei|wpscan|dirbuster|gobuster|dirb/|feroxbuster|"
    r"acunetix|netsparker|openvas|nessus|w3af|whatweb|jorgee|fuzz faster|ffuf|wfuzz|"
    r"hydra|havij|commix|arachni|skipfish|zmeu|morfeus|httpx|censysinspect|libwww-perl|"
    r"go-http-client/1\.1 \(scan|nessus|qualys|internet-measurement|l9explore|xfa1",
)
SCANNER_TITLE = ("CRS 913 scanner", "user agent alat pemindai")
# Injection carried in the User-Agent or Referer header, which CRS's 932, 933, 941, 942
# and 944 rules read too: Log4j logs a user agent, a CGI script gets it in its
# environment, and a log viewer or a statistics plugin stores and shows it. Matched on
# the value as the client sent it (log_unescape), lower-cased, not percent-decoded (the
# header reaches those programs as it is). Only what no browser or crawler writes there:
# a search engine's referer may carry a visitor's words, so no SQL keyword alone. Each
# pattern needs a character of _HEADER_HINT.
HEADER_INJECTION = "header_injection"
HEADER_TITLE = ("CRS 932/933/941/942/944 header", "injeksi lewat header User-Agent/Referer")
HEADER_PATTERNS = (
    # Log4Shell: a lookup, or lookups nested to hide its name
    LOG4J_LOOKUP,
    # Shellshock, a command substituted
    r"\(\s*\)\s*\{", r"\$\([^)]{1,80}\)",
    # PHP: code, a serialized object (Joomla's user-agent object injection)
    r"<\?(?:php|=)", r'\bo:\d{1,4}:"[^"]{1,128}":\d{1,4}:\{',
    r"\b(?:base64_decode|gzinflate|str_rot13|phpinfo|system|passthru|shell_exec|proc_open|"
    r"popen|assert|eval)\s*\(",
    # SQL: a quote closed and a condition, a delay, a union, an error-based call
    r"['\"`]\s*(?:or|and|xor|\|\||&&)\s*['\"(\d]",
    r"\b(?:or|and)\s+['\"]?\d+['\"]?\s*(?:=|<|>)\s*['\"]?\d",
    r"\b(?:sleep|benchmark|pg_sleep)\s*\(", r"waitfor\s+delay",
    r"union(?:\s|/\*[^*]{0,64}\*/)+(?:all\s+|distinct\s+)?select\b",
    r"\b(?:extractvalue|updatexml|load_file)\s*\(",
    # a script tag (stored, it runs in the page that shows the header)
    r"<\s*(?:script|iframe|svg|img|body|object|embed)\b",
)
# Search and other crawlers, by the name in their user agent (lower-case regex, name).
CRAWLERS: tuple[tuple[str, str], ...] = (
    ("googlebot|google-inspectiontool|adsbot-google|mediapartners-google", "Googlebot"),
    ("bingbot|bingpreview|msnbot", "Bingbot"),
    ("yandex", "YandexBot"),
    ("baiduspider", "Baiduspider"),
    ("duckduckbot|duckassistbot", "DuckDuckBot"),
    ("applebot", "Applebot"),
    ("ahrefsbot", "AhrefsBot"),
    ("semrushbot", "SemrushBot"),
    ("mj12bot", "MJ12bot"),
    ("dotbot", "DotBot"),
    ("petalbot", "PetalBot"),
    ("facebookexternalhit|meta-externalagent", "Facebook"),
    ("twitterbot", "Twitterbot"),
    ("gptbot|chatgpt-user|oai-searchbot", "OpenAI"),
    ("claudebot|claude-web", "ClaudeBot"),
    ("bytespider", "Bytespider"),
    ("ccbot", "CCBot"),
    ("slurp", "Yahoo Slurp"),
    ("seznambot", "SeznamBot"),
    (r"bot\b|crawler|spider|crawl", "lainnya"),
)
PROTOCOL_TITLE = ("CRS 920/921", "penyalahgunaan protokol / metode")
BRUTEFORCE_TITLE = ("WordPress", "brute force wp-login.php / xmlrpc.php")
# Failed logins per client, by the login they are made on (failed_login): WordPress's,
# or, on a site known to run Drupal, Drupal's login form.
WP_BRUTEFORCE = "wp_bruteforce"
DRUPAL_BRUTEFORCE = "drupal_bruteforce"
DRUPAL_BRUTEFORCE_TITLE = ("Drupal", "brute force login Drupal di /user/login dan blok login")
# A POST to the root's xmlrpc.php on a site known to run Drupal: Drupal 7's XML-RPC
# endpoint (Drupal 8 and later have none), which has no login of WordPress's kind but is
# still an attack surface (its entity expansion, CVE-2014-5265; a WordPress scanner's
# pingback or multicall). Each such POST is a finding (drupal_xmlrpc).
DRUPAL_XMLRPC = "drupal_xmlrpc"
DRUPAL_XMLRPC_TITLE = ("Drupal 7", "POST ke xmlrpc.php, endpoint XML-RPC Drupal 7")
# Lines of a finding or a login whose time is no real time or lies outside what the log
# can hold (sop_weblog.seen_time): written by whoever owns the log, or a wrong clock.
FORGED_TIME_TITLE = ("log", "waktu permintaan tidak wajar, dipalsukan atau jam server salah")
# Methods a court website answers; others (PUT, DELETE, TRACE, CONNECT, PROPFIND...) are
# protocol abuse.
ALLOWED_METHODS = frozenset({b"GET", b"POST", b"HEAD", b"OPTIONS"})
LOGIN_PATHS = {b"/wp-login.php": b"wp-login", b"/xmlrpc.php": b"xmlrpc"}
# WordPress's login or XML-RPC in a path as the web server maps it: in the folder
# WordPress is installed in, with a PATH_INFO after it (Apache runs /wp-login.php/x).
_LOGIN = re.compile(rb"/(wp-login|xmlrpc)\.php(?:/|\Z)")
# WordPress's modal re-login: wp-login.php with interim-login (any value: WordPress asks
# isset($_REQUEST['interim-login'])) answers a login it accepts with 200 ("You have logged
# in successfully") as it answers a failed one. wp-admin loads the form as
# wp-login.php?interim-login=1 and posts it to plain wp-login.php, the field in the body
# (not logged): the form's address is the referer of that POST. Both are written by the
# client, which may add them to hide a brute force from the count.
_INTERIM = re.compile(rb"[?&]interim-login(?:[=&#]|\Z)")
# Drupal's login form, as a served path (_served_path) or a path Drupal 7 reads from
# ?q= without clean URLs: Drupal 8 and later's /user/login, Drupal 7's /user and
# /user/login, after a language prefix (/en/user/login) and behind /index.php.
# Drupal matches paths case-insensitively.
_DRUPAL_LOGIN = re.compile(rb"(?:/index\.php)?(?:/[a-z]{2}(?:-[a-z]{2,4})?)?/user(?:/login)?")
# Drupal 7's path in the query without clean URLs (/?q=user/login, /index.php?q=user).
_DRUPAL_Q = re.compile(rb"[?&]q=([^&#]*)")
# Drupal 8's REST login (POST /user/login?_format=json): it answers a login it accepts
# with 200 and a failed one with 400 (403 past the flood limit), where the form answers
# a failed one with itself (200) and redirects one it accepts (303; Drupal 7: 302).
# ?_format=html is the form.
_DRUPAL_REST = re.compile(rb"[?&]_format=(?!html(?:[&#]|\Z))[^&#]")
# Drupal's login block (Drupal 7's user_login_block, Drupal 8 and later's
# UserLoginBlock), shown on any page, posts to the page it is on with that page as its
# destination: POST /node?destination=node (the front page), /berita/x?destination=node/5,
# /?q=node&destination=node without clean URLs, ?destination=/node/5 from Drupal 8. What
# the log does not show is the body (form_id=user_login_block, the name tried): a POST
# of the block without ?destination= (a tool dropping it) reads as any form's. A login
# it accepts is redirected to the destination, a failed one answered with the page again
# (200).
_DRUPAL_DESTINATION = re.compile(rb"[?&]destination=")
# Drupal's own forms that carry ?destination= too, an admin's edit, add, delete or
# cancel form reached from a list (/node/5/edit?destination=admin/content), whose failed
# validation answers 200 as a failed login does: no login block.
_DRUPAL_ADMIN_FORM = re.compile(rb"/(?:admin|edit|delete|add|cancel|batch)(?:/|\Z)")

_TARGET = [(name, re.compile("|".join(f"(?:{p})" for p in pats)))
           for name, (_ref, _title, pats) in TARGET_CATEGORIES.items()]
# A target of plain path characters (and plain query values) can only be a probe of a
# path: the other categories need quotes, brackets, operators or spaces.
_PLAIN = re.compile(r"[a-z0-9/_.~,=&?-]*")
# ... except these, written with plain characters only.
_PLAIN_PROBE = re.compile(
    r"--|information_schema|mysql\.user|sys\.user_objects|waitfor|/bin/|eval-stdin|"
    r"\b(?:cmd|exec|command|execute|shell)=|allow_url_include|auto_prepend_file|"
    r"disable_functions|invokefunction|call_user_func")
_PATH_CATEGORIES = frozenset({"lfi", "webshell", "restricted_file", "admin_probe"})
_PATH_TARGET = [(name, pattern) for name, pattern in _TARGET if name in _PATH_CATEGORIES]
# A web shell is a file requested: its name in the query is not one (WordPress's updater
# names each plugin's main file there, plugins=updraftplus/updraftplus.php).
_REQUESTED_FILE = "webshell"
# Drupal's own scripts at the web root, with a PATH_INFO of plain words (Drupal 8 and later
# run /update.php/selection, /update.php/start): the database update (update.php, which
# the shell name up* matches), Drupal 7's install.php, cron.php and authorize.php, and
# Drupal 8's core/install.php, core/authorize.php and core/rebuild.php. They are no shell
# name when the site is known to run Drupal (target_categories' cms); a Drupal in a
# sub-folder, or update.php in a folder of its files, is still one.
_DRUPAL_CORE = re.compile(
    r"/(?:update|install|cron|authorize|core/(?:install|authorize|rebuild))\.php(?:/[\w/-]*)?")
_CRAWLER = [(re.compile(pattern), name) for pattern, name in CRAWLERS]
_HEADER = re.compile("|".join(f"(?:{p})" for p in HEADER_PATTERNS))
# A value with none of these (a plain URL, the usual referer) cannot match _HEADER: it is
# not searched. The backslash: a log escape, which may stand for any of them.
_HEADER_HINT = re.compile(rb"[$(<'\"`*\\\s\x1c-\x1f\x85\xa0]")
# The escapes a web server writes in a logged field: nginx's default escaping writes '"',
# '\' and bytes outside printable ASCII as \xHH (a quote in the target, GET /?id=1" OR
# "a"="a, is logged 1\x22 OR \x22a\x22=\x22a); Apache writes '"' and '\' as \" and \\,
# other bytes as \xhh. Neither writes a backslash unescaped, so one pass reads either.
_LOG_ESCAPE = re.compile(rb'\\(?:x([0-9a-fA-F]{2})|(["\\]))')


# A target is URL-decoded at most this many times: ../ encoded three times
# (%25252e%25252e%25252f) is read as ../, and an attack encoded four times too. Each round
# is one linear pass that never lengthens the target (a hostile 200,000-character one of
# %25 repeated costs a few milliseconds); the rounds stop as soon as one decodes nothing.
DECODE_ROUNDS = 4
# A percent escape; a '%' without two hex digits after it stays as it is, as
# urllib.parse.unquote_to_bytes keeps it (which costs an exception per such '%').
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
_HEX_DIGITS = "0123456789abcdefABCDEF"
_HEX = {(a + b).encode(): bytes((int(a + b, 16),)) for a in _HEX_DIGITS for b in _HEX_DIGITS}


# Overlong UTF-8 forms of '.', '/' and '\\' (%c0%ae, %c0%af, %e0%80%af, %c1%9c ...):
# UTF-8 forbids them, so no text has them, and a server or an application that reads them
# as those characters (IIS 5, Tomcat's CVE-2008-2938) walks out of its folder
# (..%c0%af, %c0%ae%c0%ae/). They are read as those characters, in one linear pass.
_OVERLONG = re.compile(rb"(?:\xc0|\xe0\x80|\xf0\x80\x80)([\xae\xaf])|\xc1\x9c")
_OVERLONG_CHAR = {b"\xae": b".", b"\xaf": b"/", None: b"\\"}


def _overlong_char(match: re.Match[bytes]) -> bytes:
    return _OVERLONG_CHAR[match.group(1)]


def _unescaped(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return bytes((int(code, 16),)) if code else match.group(2)


def log_unescape(value: bytes) -> bytes:
    """A logged field as the client sent it: the web server's log escapes undone in one
    pass, so what it decodes is not decoded again (nginx's \\x5Cx22, a client's own
    backslash before 'x22', stays \\x22); never longer than the field (linear time)."""
    return _LOG_ESCAPE.sub(_unescaped, value) if b"\\" in value else value


def _percent_byte(match: re.Match[bytes]) -> bytes:
    return _HEX[match.group(1)]


def decode_target(target: bytes) -> str:
    """A request target as the client sent it (log_unescape), '+' as space, then
    URL-decoded again and again (an attack encoded several times), at most DECODE_ROUNDS
    times and until nothing is left to decode, overlong UTF-8 forms of '.', '/' and '\\'
    read as those characters (_OVERLONG), lower-case."""
    value = log_unescape(target).replace(b"+", b" ")
    for _round in range(DECODE_ROUNDS):
        if b"%" not in value:
            break
        value, decoded = _PERCENT.subn(_percent_byte, value)
        if not decoded:
            break
    if not value.isascii():
        value = _OVERLONG.sub(_overlong_char, value)
    return value.decode("latin-1").lower()


def target_categories(target: bytes, cms: str = "") -> tuple[str, ...]:
    """The attack categories a request target matches (empty for a normal one); with
    ``cms`` "drupal", Drupal's own scripts (_DRUPAL_CORE) are no webshell name."""
    text = decode_target(target)
    plain = _PLAIN.fullmatch(text) and not _PLAIN_PROBE.search(text)
    checks = _PATH_TARGET if plain else _TARGET
    path = text.partition("?")[0]
    own = cms == "drupal" and _DRUPAL_CORE.fullmatch(path) is not None
    return tuple(name for name, pattern in checks
                 if not (own and name == _REQUESTED_FILE)
                 and pattern.search(path if name == _REQUESTED_FILE else text))


def _served_path(path: bytes) -> bytes:
    """``path`` as the web server runs it: decoded once, repeated slashes (leading ones
    too) and ./.. segments merged."""
    return b"/" + posixpath.normpath(unquote_to_bytes(path)).lstrip(b"/")


def drupal_login(path: bytes, query: bytes = b"") -> bool:
    """Whether a POST to ``path`` (its ``query`` "?...") reaches Drupal's login form
    (_DRUPAL_LOGIN), also as Drupal 7 without clean URLs reads it (/?q=user/login)."""
    served = _served_path(path).lower()
    if _DRUPAL_LOGIN.fullmatch(served):
        return True
    found = _DRUPAL_Q.search(query) if served in (b"/", b"/index.php") else None
    return found is not None and _DRUPAL_LOGIN.fullmatch(
        _served_path(b"/" + found.group(1).replace(b"+", b" ")).lower()) is not None


def drupal_login_block(path: bytes, query: bytes) -> bool:
    """Whether a POST to ``path`` (its ``query`` "?...") is as Drupal's login block posts
    (_DRUPAL_DESTINATION): to a page with ?destination=, no admin's form
    (_DRUPAL_ADMIN_FORM), its path also as Drupal 7 without clean URLs reads it (?q=)."""
    if _DRUPAL_DESTINATION.search(query) is None:
        return False
    page = _served_path(path).lower()
    found = _DRUPAL_Q.search(query) if page in (b"/", b"/index.php") else None
    if found is not None:
        page = _served_path(b"/" + found.group(1).replace(b"+", b" ")).lower()
    return _DRUPAL_ADMIN_FORM.search(page) is None


def drupal_xmlrpc(path: bytes) -> bool:
    """Whether a POST to ``path`` (no query) reaches the root's xmlrpc.php, Drupal 7's
    XML-RPC endpoint on a Drupal site (DRUPAL_XMLRPC); one in a sub-folder is a
    WordPress's there."""
    return login_path(path) == b"xmlrpc" and \
        _served_path(path).partition(b"/xmlrpc.php")[0] == b""


def login_path(path: bytes) -> bytes | None:
    """Which of WordPress's login (b"wp-login") or XML-RPC (b"xmlrpc") a POST to ``path``
    (no query) reaches, None for neither. The web server decodes it once and merges
    repeated slashes and ./.. segments: /%77p-login.php, //wp-login.php and
    /x/../xmlrpc.php run them as /wp-login.php does."""
    known = LOGIN_PATHS.get(path)
    if known is not None:
        return known
    found = _LOGIN.search(posixpath.normpath(unquote_to_bytes(path)))
    return found.group(1) if found else None


def failed_login(path: bytes, status: bytes, query: bytes = b"", referer: bytes = b"",
                 cms: str = "") -> str | None:
    """The brute-force category (WP_BRUTEFORCE, DRUPAL_BRUTEFORCE) in which a POST to
    ``path`` (its ``query`` "?..." and ``referer`` as logged) answered ``status`` counts
    as a failed login, None when it is none. With ``cms`` "drupal", Drupal's login form
    (drupal_login) redirects a login it accepts and answers a failed one with itself, as
    WordPress's does; its REST login (_DRUPAL_REST) answers one it accepts 2xx. Its login
    block (drupal_login_block) posted to any page counts answered 2xx only (the page with
    the block again): another status is no login there. WordPress
    redirects a login it
    accepts (302 to wp-admin) and answers a failed one with its login page again (200), so
    a wp-login.php answered 3xx is no attempt to count (an office's staff behind one NAT
    address logging in each day). Its modal re-login (interim-login, after a session
    expired in wp-admin) answers 200 both ways, so one answered 2xx is not counted: the
    log cannot tell (_INTERIM). XML-RPC answers 200 whatever the password (the failure is
    in its body), so each of its POSTs counts."""
    if cms == "drupal" and drupal_login(path, query):
        accepted = b"2" if _DRUPAL_REST.search(query) else b"3"
        return None if status[:1] == accepted else DRUPAL_BRUTEFORCE
    if cms == "drupal" and drupal_login_block(path, query):
        return DRUPAL_BRUTEFORCE if status[:1] == b"2" else None
    login = login_path(path)
    if login == b"xmlrpc":
        return WP_BRUTEFORCE
    if login != b"wp-login" or status[:1] == b"3":
        return None
    interim = _INTERIM.search(query) is not None or (
        b"/wp-login.php?" in referer and _INTERIM.search(referer) is not None)
    return None if interim and status[:1] == b"2" else WP_BRUTEFORCE


def header_injection(value: bytes) -> bool:
    """Whether a User-Agent or Referer value carries injection (HEADER_PATTERNS)."""
    return (_HEADER_HINT.search(value) is not None
            and _HEADER.search(log_unescape(value).decode("latin-1").lower()) is not None)


def agent_class(agent: bytes) -> tuple[str | None, bool, bool]:
    """(crawler name or None, whether the agent is an attack tool, whether it carries
    injection). An agent carrying injection is no crawler, whatever name it gives."""
    text = agent.decode("latin-1").lower()
    injection = header_injection(agent)
    if SCANNER_AGENTS.search(text):
        return None, True, injection
    if injection:
        return None, False, True
    for pattern, name in _CRAWLER:
        if pattern.search(text):
            return name, False, False
    return None, False, False


# The categories found otherwise than by a request target's patterns: by the user agent,
# the method or protocol, failed logins per client, a forged time.
OTHER_TITLES = {"scanner": SCANNER_TITLE, HEADER_INJECTION: HEADER_TITLE,
                "protocol": PROTOCOL_TITLE, WP_BRUTEFORCE: BRUTEFORCE_TITLE,
                DRUPAL_BRUTEFORCE: DRUPAL_BRUTEFORCE_TITLE, DRUPAL_XMLRPC: DRUPAL_XMLRPC_TITLE,
                "forged_time": FORGED_TIME_TITLE}
# Every category a finding can have, the ones a role's alert categories may name
# (website_log_alert_categories, it_security_web_alert_categories).
CATEGORIES = (*TARGET_CATEGORIES, *OTHER_TITLES)


def category_title(category: str) -> tuple[str, str]:
    """(CRS reference, title) of any category, the agent-based and per-client ones too."""
    if category in TARGET_CATEGORIES:
        ref, title, _ = TARGET_CATEGORIES[category]
        return ref, title
    return OTHER_TITLES[category]
