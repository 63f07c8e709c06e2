#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Detect injection and defacement of a website: files, pages, CMS content."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_integrity
short_description: Detect injected files, webshells, cloaking and gambling spam on a website
description:
  - "Files: keeps a baseline of the sha256 of every file under O(paths) (a root-only JSON
    file in O(state_dir)) and reports new, changed and removed files against it, naming
    their area (C(htaccess), C(theme), C(plugin), C(uploads), C(core), or C(cache) for
    the folders of O(exclude)). New pictures and
    documents in an uploads folder are counted, not reported. Whatever the baseline says,
    PHP files in an uploads folder and files carrying webshell or injection markers
    (C(eval(base64_decode(), C(assert(hex2bin(), C(gzinflate(base64_decode(),
    C(eval($_SERVER[..]), C(assert($_POST), C(call_user_func($_GET[..]),
    C(file_put_contents($_GET[..]), C(preg_replace) with C(/e), C($_POST[x]() calls,
    C($f($_POST[x]) calls of a variable, calls and names hidden by comments before a
    parenthesis (C(/* */) with stars inside too, C(//), C(#)), in pieces (C('sys'.'tem')),
    as chains of C(chr) calls (either case's codes), in pieces and C(chr) calls
    (C('sy'.chr(115).'tem')), hex, octal or unicode escapes of any of their letters
    (C('s\\x79stem'), C('sy'.'\\u{73}'.'tem') in double quotes), appended to a variable
    piece by piece (C($f = 'sys'; $f .= 'tem')), C(str_rot13) or
    C(strrev), C(eval) of C('?>') and decoded text, webshell signatures, user-agent or
    referer cloaking, C(.htaccess) PHP handlers and search-engine redirects) are findings.
    Each file is also read with its PHP comments shortened (in one pass, as PHP reads
    them: not in strings or heredocs, nor outside C(<?php ?>)), so that a comment of any
    length or content hides no call or name:
    C(eval/* 300 characters */(), C(eval/* a*b/c */(), C('sy'/*x*/.'stem'),
    C('ev' . // x<newline> 'al')."
  - The baseline is never moved silently. The first run without one creates it (reported as
    RV(integrity.baseline) C(created), a change); afterwards it changes only with
    O(accept_baseline=true), which records the files as they are now. Markers and PHP in
    uploads stay findings after an accept; O(allow) names known false positives.
  - "A new or changed file whose content is that of the installed Debian package listing
    it (the server-maintenance SOP's security updates of the C(wordpress) package change
    every core file of C(/usr/share/wordpress)) is no finding: C(dpkg)'s checksum of the
    path (O(package_info)) matches the file the check read, whose sha256 it is. It is
    counted per package in RV(integrity.packaged); the baseline does not move. Only
    checksum files root (or the account running the check) alone can write are read: the
    web server's account cannot make its own file a package's. Markers are still read in
    such a file, and a file a package update removed is still a finding (C(removed_file))."
  - >-
    A PHP file or server configuration larger than O(max_script_bytes) (32 MiB: no real
    script is) is not read for markers but is a finding of its own (C(large_script)),
    naming its size; it is hashed and compared as any file is. A file with holes
    (C(truncate -s 100G)) is hashed by the data it holds on disk.
  - A FIFO, socket or device file anywhere under O(paths) (cache folders included) is a
    finding of its own (C(special_file), with its C(type)) whatever the baseline says; a
    web root has no use for one, so the account writing the site made it. It is never
    opened (a FIFO without a writer would hold the check) and never enters the baseline,
    whose format is unchanged.
  - The baseline belongs to the web root (the first of O(paths)). When O(paths) differ
    from the folders the baseline was accepted with (another folder named by the
    configuration, or one dropped), the files both cover are compared as always and the
    difference is a finding of its own (C(baseline_roots)) until it is accepted; a new
    baseline is never started for them.
  - "O(files) are single files of the site outside O(paths), its folders (website_cms's
    C(files): a C(wp-config.php) one folder above the web root, which holds the database
    login and is a common place for a backdoor, PHP injected at its top). Each is in the
    baseline as a folder's file is (new, changed, removed; webshell markers whatever the
    baseline says; a link recorded, not followed), and is one of the baseline's roots: a
    file added to or dropped from O(files) is a C(baseline_roots) finding until it is
    accepted, as a folder is. Only its sha256, size and markers' names are kept or shown,
    never its content. One not there has no entry (C(removed_file) against a baseline
    holding it); a folder named there fails the module."
  - "Pages: each URL of O(urls) is fetched as a browser, as Googlebot, as a browser
    arriving from a search engine (Referer), and as Chrome on an Android phone arriving
    from a search engine (C(mobile_search): injected redirects often wait for a phone
    coming from Google), following redirects within the site only
    (its host or one of O(own_hosts), each with or without C(www.), at most 10): the page
    read is where they lead (a page whose redirects within the site do not end within
    them, or loop, is C(page_unreachable) with C(reason) C(redirects); one with no answer
    at all is C(page_unreachable) with C(reason) C(no_answer): not checked, no sign of
    injection), and a redirect to another site is the
    variant's answer (one
    with a backslash before its query too, which a browser reads as a slash: C(/\\host/)
    is another site's address, as are C(https:///host/) and C(///host/), whose slashes a
    browser skips). A
    page whose every variant is redirected to another site (a hijacked site sending
    every visitor to a gambling site) is a finding (C(page_offsite)) naming the hosts
    they were sent to (not their paths or queries). Redirects the page makes itself count
    as HTTP ones do, read as a browser reads them against the page's address, or its
    C(<base href>) (the first; for a meta refresh, one before it): a C(Refresh) header
    (against the page's address: a browser reads it before any C(<base>)) or
    C(<meta http-equiv=\"refresh\">) (any attribute order, case or quotes) sending the
    visitor on (C(0;url=X), C(5, 'X'), C(0; X), as the HTML standard reads its content)
    after any wait (a visitor who stays on the page is sent all the same; one longer
    than 10 seconds is named with it, C(seconds); one in a C(<noscript>), which a
    browser without JavaScript and a crawler reading the markup follow, counts as
    C(meta refresh (noscript)), as does one a C(<base href>) in a C(<noscript>) sends
    elsewhere; one in a C(<template>) is inert), and an inline C(<script>) (not one in a
    C(<noscript>) or C(<template>), which no browser runs; a C(</noscript) that a
    markup reader reads in a comment, script, style or attribute still ends the C(<noscript>)
    for a browser with JavaScript, and the scripts after it count), or an
    event handler a browser runs unasked (C(onload), C(onpageshow), C(onerror); not a
    click's), assigning a string literal of an absolute http(s) or protocol-relative
    address (its escapes read, C(\\/) too) to C(location), C(window.location),
    C(document.location) or their C(.href), or passing one to C(location.replace) or
    C(location.assign), a delay around it or not; a literal joined to more (C(+ x),
    C(${x})) counts when its host is whole within it, and a relative one (nothing
    joined to it) on a page with a C(<base href>). One to another site (neither the
    page's host nor O(own_hosts), as for HTTP) in every variant, by HTTP or by the page,
    is C(page_offsite) too, saying how (C(by): C(http), C(header Refresh), C(meta
    refresh), C(meta refresh (noscript)), C(skrip)); one to the site itself is no finding. No JavaScript is run: an address built by code or obfuscated, or a redirect
    in a script file the page loads, is left to the IT-security SOP's malware scan and
    to the files baseline, which names the theme, plugin or C(.htaccess) file changed to
    inject it. A redirect within the site from
    https down to plain http (a TLS downgrade: the page asked over TLS would be read
    without it), or to a scheme other than http and https, is never followed, as
    website_check's page check: it is the variant's answer too, and a finding of its own
    (C(page_redirect)) naming where it leads and the variants it was given. A variant with a different
    status, redirect or final address, a different redirect of the page itself to another
    site (given to the visitors from a search engine only, say: named by its hosts and
    how), gambling keywords or links to other sites the browser does not get (each
    variant's links read as a browser reads them, against its final address and its
    C(<base href>): a crawler's page whose C(<base href=\"https://judi.example/\">) sends its
    relative links there links to judi.example), or clearly
    different text is cloaking. Gambling keywords and hidden
    elements (C(display:none), C(visibility:hidden), off-screen or zero-size text) carrying
    keywords or links to other sites (read as a browser reads them, against the page's
    C(<base href>): a hidden C(/slot) under C(<base href=\"https://judi.example/\">) is a
    link to judi.example) are findings in any variant, hidden by an inline style
    or by a class or id rule of the page's own C(<style>) elements (where injected spam
    brings its CSS; the theme's stylesheet files are not fetched). A class or id hidden by
    C(display:none) or C(visibility:hidden) that another rule shows (a hover menu, a media
    query) is not counted as hidden; a page whose rules naming several classes would take
    more than a million checks against its elements is a finding of its own, and so is a
    page (or post) whose markup is not parsed within 30 seconds and 10 more per MiB (markup
    crafted to take Python's parser time squared). Each variant is read up to the 15 MiB
    Googlebot indexes."
  - A URL's C(user:password@) is sent as HTTP basic credentials (on to a redirect of the
    same site only, its scheme, host and port, or from http to https of the same host;
    not to the other port or the C(www.) name a variant is still followed to); it and
    secret-looking query values (C(token=), C(key=) ...) are shown as C(***) in the
    result (the pages' keys, the findings) and its invocation.
  - "Keywords are matched as a reader reads them: character references decoded
    (C(sl&#111;t), C(slot&nbsp;gacor)), letters styled by Unicode (mathematical bold or
    italic, full-width, circled) read as plain ones (NFKC), invisible characters dropped
    (soft hyphen, zero-width space, joiners, BOM) and inline tags inside a word ignored
    (C(to<b></b>gel)); a block element (C(div), C(p), C(li)) still separates words. A
    keyword counts with no letter beside it: digits or another keyword glued to it do not
    hide it (C(slotgacor777), C(gacor4d), C(togel123), C(slot88gacor)), an ordinary word
    around it does (C(togelan), C(akun profil)). Spam also glues its words to the words
    it is sold with and to lottery markets: a keyword, or a word of O(spam_stems), with
    words of O(spam_prefixes) glued before it and of O(spam_suffixes) after it (at most
    three each) counts as the whole compound (C(situsgacor), C(daftarslotgacor), C(togelhk),
    C(agenslot), C(slotthailand)); a stem alone, or glued to an ordinary word, does not
    (C(slot waktu), C(slotted), C(sepakbola)), nor a keyword with C(-an) (C(gacoran)).
    In the database, posts and options are selected by REGEXP first, drafts too (without
    keywords and stems, only those with a hiding style): by a
    keyword, also with inline tags or C(-), C(_), C(+) between its words, by a stem glued
    after a prefix or before a suffix or stem, or by anything this reading turns into a
    keyword's letters, digits or separators (character references, and each character
    the host's Python reads so by NFKC or drops), or a tag inside a word. Tables still
    in utf8mb3 or latin1 are read as utf8mb4."
  - "CMS: with O(database), the WordPress posts (not revisions) and options
    (not transients) holding gambling keywords or hidden elements with links to other
    sites (the first of O(urls) is the site's own), found with one REGEXP query each and
    then parsed like pages; findings name the post id or the option."
  - "Gambling keywords in a court's own text (C(kupon togel) in the news of a gambling
    case) can be accepted, one match at a time, never implicitly: each keyword match of a
    C(page_spam), C(post_spam) or C(option_spam) finding has a fingerprint, the first 32
    hex digits of the sha256 of the JSON list [C(spam-v1), C(page), C(post) or
    C(option), the page's path and query, the post's id or the option's name, the keyword,
    the 40 characters before it, the 40 after it], the text read as the keywords are
    (character references decoded, NFKC, lower case, markup kept) with each run of
    whitespace one space. An edit further away keeps it; spam glued to the keyword or
    written beside it, or a keyword elsewhere, is a new one (the same words with the same
    text around them on the same page are the same match). A finding whose every match
    is listed in O(spam_accepted) is reported in RV(integrity.spam_accepted), not in
    RV(integrity.findings); one with a match not listed stays a finding, showing those
    (C(matches), with their context) and saying which fingerprints to add. Hidden text,
    cloaking and hidden links are never accepted so: a page with a C(hidden_text) or
    C(cloaking) finding, a post or option with hidden text or links or markup not parsed
    in time, keeps its spam finding whatever the list says. An accepted fingerprint no
    longer found is reported in RV(integrity.spam_stale), for the list to be cleaned;
    no run writes the list."
  - Each finding has a C(kind), the C(path), C(url), C(post_id) or C(option) it is about,
    a C(name) (one line) and a C(detail) in Bahasa Indonesia.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
options:
  paths:
    description: Directories of the site (the web root, and for example C(/var/lib/wordpress/wp-content)).
      Symbolic links below them are recorded, not followed; a directory named here that
      is itself a link (a web root C(/var/www/html) linking to the site's real folder) is
      followed, as the web server follows it, and its files are named by the path given.
    type: list
    elements: path
    required: true
  files:
    description: Single files of the site outside O(paths) (website_cms's C(files), a
      C(wp-config.php) one folder above the web root), checked and in the baseline as the
      files under O(paths) are; one under a folder of O(paths) is read with it.
    type: list
    elements: path
    default: []
  state_dir:
    description: Directory of the baseline (created 0700, the baseline 0600). A baseline
      another account could have written (not owned by the account running the check,
      a link, writable by group or others, or in a directory others can write without
      the sticky bit) fails the module naming why; its entries decide which files are
      read again, so a forged one would hide a webshell.
    type: path
    default: /var/lib/sop/website_integrity
  accept_baseline:
    description: Record the files as they are now as the new baseline.
    type: bool
    default: false
  exclude:
    description:
      - Shell patterns (relative to each path, or absolute) left out of the baseline, such
        as cache folders, whose files come and go.
      - Files there that run as PHP are still read for markers every time (and PHP in an
        uploads folder is still a finding), since attackers hide webshells in cache folders.
    type: list
    elements: str
    default: ["*/cache/*", "*/cache", "*/wp-content/upgrade/*"]
  allow:
    description: Shell patterns of absolute paths that are never findings (known false positives).
    type: list
    elements: str
    default: []
  allow_hosts:
    description:
      - Other sites that hidden elements and the variants of a page may link to, each
        with its subdomains, known false positives among the pages, posts and options
        (C(forms.gle) for a survey in a pop-up opened by a script,
        C(mahkamahagung.go.id) for a folded menu of links to the Supreme Court's sites).
      - Gambling keywords are findings whatever the links. Injected links also point to
        other compromised government sites, so name exact sites, not C(go.id).
    type: list
    elements: str
    default: []
  own_hosts:
    description:
      - Other names of the site itself (each with or without C(www.)), beside each URL's
        own host, such as the court's new domain its old one redirects to. A redirect
        there is followed as one within the site (the page read there), not a
        C(page_offsite) finding, and links there are the site's own (as O(allow_hosts)).
      - Name only the court's own domains; a redirect to any other site is what a hijack
        looks like.
    type: list
    elements: str
    default: []
  package_info:
    description:
      - The folder of dpkg's checksums of each installed package's files
        (C(<package>.md5sums)); empty, or a host without it, reads none.
    type: path
    default: /var/lib/dpkg/info
  max_scan_bytes:
    description: Larger uploads (videos, big documents) are hashed but not read for
      markers. PHP files and server configuration are read up to O(max_script_bytes),
      so that padding cannot hide a webshell.
    type: int
    default: 8388608
  max_script_bytes:
    description:
      - >-
        PHP files and server configuration larger than this are not read for markers
        (read at about 4 MiB/s, a C(truncate -s 100G x.php) by the web server's account,
        which costs it no disk, would hold the check for hours): no real script comes
        near it, so such a file is a finding of its own (C(large_script), its size named:
        check it by hand). It is still hashed and compared with the baseline.
      - >-
        Any file with holes (sparse: larger than the disk it holds) is hashed by the data
        it holds on disk alone, with the place of each part, recorded as C(sparse-) and
        that sha256, so that reading it takes the time its disk space does; a file system
        that cannot tell holes reads it whole.
    type: int
    default: 33554432
  urls:
    description: Pages to fetch as a browser, as Googlebot, from a search engine and as a
      phone from a search engine (http or https URLs; one that is not fails the module
      naming the option, with C(setting) C(urls)).
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait for each page; an answer not complete after three times this
      is given up (a site sending slowly).
      Above 0 and at most 86400 (one day), else the module fails with C(setting) C(timeout).
    type: int
    default: 30
  validate_certs:
    description: Verify TLS certificates of the pages.
    type: bool
    default: true
  ca_path:
    description: CA bundle for the pages' certificates (the system's when omitted); one that
      cannot be loaded (gone, unreadable, no PEM certificate in it) fails the module naming it.
    type: path
  similarity:
    description: Below this share of common words (0-1) a variant's text counts as different.
    type: float
    default: 0.6
  spam_keywords:
    description: Gambling-spam keywords (case-insensitive; a space also matches C(-), C(_), C(+) or nothing; digits, another keyword or stem, O(spam_prefixes) before and O(spam_suffixes) after may be glued to one, another letter may not).
    type: list
    elements: str
    default: [slot gacor, judi online, judi slot, judi bola, situs slot, slot online, slot88, slot777, togel, toto macau, maxwin, scatter hitam, rtp slot, rtp live, sbobet, pragmatic play, bandar togel, bandar judi, gacor, deposit pulsa, akun pro, situs toto, mahjong ways]
  spam_stems:
    description: Gambling-spam words that count only glued to a prefix, a suffix, a keyword or another stem (C(agenslot), C(totosgp), C(slotmaxwin)); alone they are ordinary words (a time slot, a name, a ball).
    type: list
    elements: str
    default: [slot, judi, toto, bola, poker, casino, kasino]
  spam_prefixes:
    description: Words that spam glues before a keyword or stem (C(situsgacor), C(linkslot)); written without spaces.
    type: list
    elements: str
    default: [situs, daftar, link, agen, bandar, login, rtp, bo, bocoran, pola, akun, demo, prediksi, idn]
  spam_suffixes:
    description: Words that spam glues after a keyword or stem (C(togelhk), C(slotthailand)); written without spaces.
    type: list
    elements: str
    default: [hk, sgp, sdy, hongkong, singapore, sidney, sydney, macau, online, terpercaya, resmi, terbaru, terbaik, terbesar, hariini, dana, pulsa, qris, thailand, kamboja, vip, demo, login]
  spam_accepted:
    description:
      - Gambling-keyword matches accepted as the court's own text (the news of a gambling
        case), each by the fingerprint a finding names, with an optional note (where it is,
        why it is accepted). See the description for what a fingerprint covers.
      - Never filled by a run; an entry no longer found is reported in RV(integrity.spam_stale).
    type: list
    elements: dict
    default: []
    suboptions:
      fingerprint:
        description: The match's fingerprint (32 hex digits).
        type: str
        required: true
      note:
        description: Free text, returned with the accepted match.
        type: str
  database:
    description: The WordPress database; its posts and options are checked when given.
    type: str
  table_prefix:
    description: WordPress table prefix (C($table_prefix) of C(wp-config.php)).
    type: str
    default: wp_
  query_timeout:
    description: Seconds to wait for each query.
      Above 0 and at most 86400 (one day), else the module fails with C(setting)
      C(query_timeout).
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    details: Checks and reports; a baseline is neither created nor accepted.
"""

EXAMPLES = r"""
- name: Check the court website for injected files and content
  website_integrity:
    paths: [/usr/share/wordpress, /var/lib/wordpress/wp-content]
    urls: ["https://pn-contoh.go.id/", "https://pn-contoh.go.id/berita/"]
    database: wordpress
    login_user: wordpress
    login_password: "{{ website_db_password }}"
  register: website_integrity

- name: Check the pages, accepting the news of a gambling case
  website_integrity:
    paths: [/usr/share/wordpress]
    urls: ["https://pn-contoh.go.id/berita/"]
    spam_accepted:
      - fingerprint: 5f0c2e8d9a7b4c1e3f6a8b0d2c4e6f81
        note: Berita sidang perkara 45/Pid.B/2026 (kupon togel)

- name: Check a web root whose wp-config.php lies one folder above it
  website_integrity:
    paths: [/var/www/html]
    files: [/var/www/wp-config.php]

- name: Accept the site as it is now (after reviewing the changes)
  website_integrity:
    paths: [/usr/share/wordpress, /var/lib/wordpress/wp-content]
    accept_baseline: true
"""

RETURN = r"""
integrity:
  description: What was checked and found.
  returned: success
  type: dict
  contains:
    baseline:
      description: created (first run), accepted (O(accept_baseline)) or compared.
      type: str
    baseline_file: {description: The baseline's path., type: str}
    files: {description: Files and links under the paths., type: int}
    new: {description: Files added since the baseline (not those of RV(integrity.packaged))., type: int}
    changed: {description: Files changed since the baseline (not those of RV(integrity.packaged))., type: int}
    packaged:
      description: "New and changed files whose content is their installed package's, per package: {wordpress: 1204}."
      type: dict
    removed: {description: Files removed since the baseline., type: int}
    media_added: {description: New media files in uploads (not findings)., type: int}
    pages:
      description: "Per URL (its credentials masked), each variant's status, redirect (one to another site, not followed), final address and size: {url: {browser: {status, location, final_url, bytes}, googlebot: ..., search_referer: ..., mobile_search: ...}}, C(offsite_redirects) on a variant whose page redirects to another site itself ([{by, host, seconds}]: how, C(header Refresh), C(meta refresh), C(meta refresh (noscript)) or C(skrip), the host alone, and a refresh's wait when longer than 10 seconds), C(truncated) on a variant larger than the 15 MiB Googlebot indexes (only those are read), C(refused) on a variant whose redirect within the site was not followed (to plain http from https, or to another scheme, named), and C(certificate) (why it failed verification) when the page was read without it."
      type: dict
    posts_checked: {description: Posts and options that matched the database pre-filter (null without a database)., type: int}
    database_error:
      description: Why the CMS database could not be checked (the module then fails, after the files and pages were checked); null otherwise.
      type: str
    findings:
      description: Every finding (spam accepted by O(spam_accepted) not among them).
      type: list
      elements: dict
      contains:
        kind: {description: "php_in_uploads, webshell, new_file, changed_file, removed_file, special_file (a FIFO, socket or device file; its type in C(type)), large_script (a PHP file or server configuration larger than O(max_script_bytes), not read for markers; its size in C(size)), baseline_roots (the folders or single files checked differ from the baseline's), cloaking, page_spam, hidden_text, page_unreachable, page_offsite (every variant redirected to another site, by HTTP or by the page itself; their hosts in C(hosts), how in C(by)), page_redirect (a redirect within the site not followed, from https to plain http or to another scheme; the variants in C(variants)), post_spam, option_spam.", type: str}
        name: {description: "One line naming it (a line break or other control character in a file's name shown escaped, C(\\x0a)).", type: str}
        detail: {description: What is wrong (Bahasa Indonesia)., type: str}
        path: {description: The file (file findings)., type: str}
        area: {description: "Where the file is (file findings): htaccess, theme, plugin, uploads, core, or cache (a folder of O(exclude)).", type: str}
        url: {description: The page (page findings)., type: str}
        reason:
          description: >-
            Why the page was not read (page_unreachable): no_answer (no answer at all: the
            site down, a refused connection, a timeout; the page not checked, no sign of
            injection) or redirects (its redirects within the site looped or ran past 10,
            which may hide a hijack's last hop to another site).
          type: str
        error: {description: "Why the page was not read (page_unreachable), one line: C(Connection refused).", type: str}
        post_id: {description: The post (post_spam)., type: int}
        option: {description: The option (option_spam)., type: str}
        matches:
          description: "The keyword matches not accepted (page_spam, post_spam, option_spam), at most 20: {fingerprint, keyword, context (the text around it, the keyword in brackets)}."
          type: list
          elements: dict
        unaccepted: {description: How many keyword matches are not accepted (spam findings)., type: int}
        acceptable: {description: "Whether O(spam_accepted) can accept the spam finding: false beside hidden text, cloaking or markup not parsed in time.", type: bool}
    spam_accepted:
      description: The spam findings O(spam_accepted) accepted whole, as findings, each match with its C(note).
      type: list
      elements: dict
    spam_stale:
      description: "The entries of O(spam_accepted) ({fingerprint, note}) no match has any more; null when a page or the database could not be read (a page with no answer, or answering an error status instead of 2xx)."
      type: list
      elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {baseline: compared, files: 2612, findings: ["webshell: /var/lib/wordpress/wp-content/uploads/2026/11/x.php"],
           spam_accepted: ["post_spam: post 812 (Sidang perkara togel)"], spam_stale: []}
"""

import hashlib  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_http import (  # noqa: E402
    REDIRECT_HOPS,
    context_for,
    not_followed,
    redirect_target,
    redirects,
    refused_target,
    scheme_followed,
    url_option_error,
)
from ansible.module_utils.sop_integrity import (  # noqa: E402
    MAX_SCRIPT_BYTES,
    Entry,
    IntegrityError,
    baseline_entries,
    baseline_path,
    compare_covered,
    file_entries,
    file_findings,
    load_baseline,
    roots_finding,
    save_baseline,
    single_files,
    snapshot,
)
from ansible.module_utils.sop_integrity_content import (  # noqa: E402
    BROWSER_AGENT,
    CRAWLER_AGENT,
    MOBILE_AGENT,
    PAGE_BYTES,
    REFRESH_SECONDS,
    RULE_CHECKS,
    SEARCH_REFERER,
    SPAM_KEYWORDS,
    SPAM_PREFIXES,
    SPAM_STEMS,
    SPAM_SUFFIXES,
    SQL_HIDDEN,
    accepted_spam,
    compare_variant,
    found_keywords,
    hidden_findings,
    keyword_pattern,
    link_host,
    page_redirects,
    redirect_way,
    same_site,
    scan_html,
    settle_spam,
    spam_matches,
    sql_prefilters,
)
from ansible.module_utils.sop_mariadb import (  # noqa: E402
    CLIENT_BINARIES,
    LOGIN_ARGUMENT_SPEC,
    Connection,
    MariaDBError,
    connection_from_params,
    find_binary,
    nullable_text,
    query,
    quote_identifier,
    quote_string,
    text_value,
)
from ansible.module_utils.sop_options import ca_file_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_secrets import (  # noqa: E402
    basic_auth,
    mask_data,
    mask_url,
    url_secrets,
)
from ansible.module_utils.sop_tree import open_regular  # noqa: E402

SUMS_SUFFIX = ".md5sums"


def only_root_writes(info: os.stat_result) -> bool:
    """Whether only root (or the account running the check, root on a host) can have
    written the file or folder: the web server's account cannot."""
    return info.st_uid in (0, os.geteuid()) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def package_sums(folder: str, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """{path: (package, md5)} of the ``wanted`` paths dpkg's checksum files in ``folder``
    list (lines "<md5>  <path without its leading />"). A folder or file another account
    can write is not read, nor is one that is a link."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return {}
    found: dict[str, tuple[str, str]] = {}
    try:
        if not only_root_writes(os.fstat(fd)):
            return {}
        for name in os.listdir(fd):
            if not name.endswith(SUMS_SUFFIX):
                continue
            try:
                sums, info = open_regular(name, fd)
            except OSError:
                continue
            with os.fdopen(sums, "rb") as handle:
                if not only_root_writes(info):
                    continue
                package = name[:-len(SUMS_SUFFIX)].split(":", 1)[0]
                for line in handle:
                    md5, _, path = line.rstrip(b"\n").partition(b"  ")
                    text = os.fsdecode(b"/" + path)
                    if text in wanted:
                        found[text] = (package, md5.decode("ascii", "replace").lower())
    finally:
        os.close(fd)
    return found


def digests(path: str, size: int) -> tuple[str, str] | None:
    """(md5, sha256) of the regular file ``path``; None when it cannot be read, or is no
    longer ``size`` bytes (the size the snapshot hashed: one swapped since for a far
    larger file is not read)."""
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    try:
        fd, info = open_regular(path)
        with os.fdopen(fd, "rb") as handle:
            if info.st_size != size:
                return None
            for block in iter(lambda: handle.read(1 << 20), b""):
                md5.update(block)
                sha256.update(block)
    except OSError:
        return None
    return md5.hexdigest(), sha256.hexdigest()


def packaged(changes: dict[str, list[str]], entries: dict[str, Entry],
             folder: str) -> dict[str, list[str]]:
    """{package: paths} of the new and changed files whose content is their installed
    package's: dpkg's md5 of the path is that of a content whose sha256 is the one the
    snapshot read (so a file swapped while it is hashed again proves nothing). A file
    with holes (its sha256 ``sparse-``: not of its whole content) is never a package's."""
    wanted = {p for kind in ("new", "changed") for p in changes.get(kind, [])
              if entries[p].link is None and not entries[p].sha256.startswith("sparse-")}
    if not wanted or not folder:
        return {}
    found: dict[str, list[str]] = {}
    for path, (package, md5) in sorted(package_sums(folder, wanted).items()):
        if digests(path, entries[path].size) == (md5, entries[path].sha256):
            found.setdefault(package, []).append(path)
    return found


def fetch(url: str, agent: str, referer: str | None, params: dict[str, Any]) -> dict[str, Any]:
    """One page, following redirects within the site only (its host with or without www.,
    or one of own_hosts; never from https down to http nor to another scheme): {status,
    location, refresh (its Refresh header), final_url, html} of the last answer (status
    -1, ``error`` and ``certificate`` when there is no answer, and ``loop`` too when the
    redirects within the site looped or ran past the limit). A redirect not followed
    is that answer: ``refused`` names one within the site refused for its scheme
    (sop_http.not_followed: a TLS downgrade), ``offsite`` the host of one to another
    site. The URL's user:password@ is sent as HTTP basic credentials (urllib would take
    it for part of the host)."""
    context = context_for(params["validate_certs"], params["ca_path"])
    headers = {"User-Agent": agent, **({"Referer": referer} if referer else {})}
    plain, authorization = basic_auth(url)
    own = own_hosts(params)

    def follow(old: str, new: str) -> bool:
        return on_site(old, new, own) and scheme_followed(old, new)

    page = redirects(plain, params["timeout"], context, follow=follow, headers=headers,
                     authorization=authorization, limit=PAGE_BYTES)[-1]
    if page["status"] == -1:
        return {"status": -1, "location": None, "final_url": page["url"], "html": "",
                "error": page["error"], "certificate": page["certificate"]}
    target = refused_target(page, follow)
    if target is None and redirect_target(page) is not None:
        # the chain ended by a loop or the hop limit: no page read (browsers follow 20)
        return {"status": -1, "location": page["location"], "final_url": page["url"],
                "html": "", "certificate": False,
                "error": f"lebih dari {REDIRECT_HOPS} pengalihan di dalam situs, atau "
                         "pengalihan berputar: halaman tidak terbaca", "loop": True}
    unfollowed = {}
    if target and on_site(page["url"], target, own):
        unfollowed["refused"] = not_followed(target)
    elif target:
        unfollowed["offsite"] = offsite_host(target)
    return {"status": page["status"], "location": page["location"], "refresh": page["refresh"],
            "final_url": page["url"], "html": page["body"], "truncated": page["truncated"],
            **unfollowed}


def offsite_host(target: str) -> str:
    """The host a redirect to another site leads to (``target``: its Location read as a
    browser reads it, sop_http.redirect_target), else its scheme."""
    return link_host(target) or f"{urlsplit(target).scheme[:20]}:"


def site_name(host: str) -> str:
    """A host as a site: lower-case, without a final dot or a leading "www."."""
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def own_hosts(params: dict[str, Any]) -> frozenset[str]:
    """The site's other names of O(own_hosts), as site_name reads them."""
    return frozenset(site_name(h) for h in params["own_hosts"] if site_name(h))


def on_site(old: str, new: str, own: frozenset[str]) -> bool:
    """Whether a redirect from ``old`` to ``new`` stays on the site: same_site, or to one
    of its ``own`` other names (with or without www.)."""
    return same_site(old, new) or site_name(link_host(new)) in own


def offsite_redirects(page: dict[str, Any], own: frozenset[str]) -> list[dict[str, Any]]:
    """The redirects to other sites a page read makes itself (sop_integrity_content.
    page_redirects: its Refresh header, meta refreshes, inline scripts and the handlers a
    browser runs unasked), each joined as a browser joins it (against the page's address
    or its <base href>), [{by, host}] (the host alone: no path or query) with
    ``seconds``, a refresh's wait, when it is longer than REFRESH_SECONDS, once each;
    none on an HTTP redirect (a browser follows its Location) or no answer. One within
    the site (on_site) is none."""
    if page["status"] == -1 or 300 <= page["status"] < 400:
        return []
    found = set()
    for how, target, seconds in page_redirects(page["scan"], page.get("refresh"),
                                               page["final_url"]):
        if (urlsplit(target).scheme.lower() in ("http", "https") and link_host(target)
                and not on_site(page["final_url"], target, own)):
            wait = seconds if seconds is not None and seconds > REFRESH_SECONDS else 0
            found.add((how, link_host(target), wait))
    return [{"by": how, "host": host, **({"seconds": wait} if wait else {})}
            for how, host, wait in sorted(found)]


def allowed_hosts(params: dict[str, Any]) -> tuple[str, ...]:
    """The hosts links may lead to: O(allow_hosts) and the site's O(own_hosts)."""
    allowed = (h.strip().lower().strip(".") for h in params["allow_hosts"] if h.strip())
    return (*allowed, *sorted(own_hosts(params)))


def fetch_variants(url: str, own: str, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The page as a browser, as Googlebot, as a visitor from a search engine and as a
    phone's visitor from a search engine (cloaking often sends only those elsewhere)."""
    search = SEARCH_REFERER.format(host=own)
    return {
        "browser": fetch(url, BROWSER_AGENT, None, params),
        "googlebot": fetch(url, CRAWLER_AGENT, None, params),
        "search_referer": fetch(url, BROWSER_AGENT, search, params),
        "mobile_search": fetch(url, MOBILE_AGENT, search, params),
    }


def spam_words(params: dict[str, Any]) -> tuple[list[str], list[str], list[str], list[str]]:
    """The options' gambling-spam keywords, stems, prefixes and suffixes."""
    return (params["spam_keywords"], params["spam_stems"], params["spam_prefixes"],
            params["spam_suffixes"])


def page_path(url: str) -> str:
    """Where a page is on its site (its path and query): its spam fingerprints' place,
    the same over http and https, with or without www."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check_pages(params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Fetch every URL in its variants (fetch_variants); the pages' summary and findings."""
    pattern = keyword_pattern(*spam_words(params))
    allowed = allowed_hosts(params)
    own_names = own_hosts(params)
    pages: dict[str, Any] = {}
    found: list[dict[str, Any]] = []
    for url in params["urls"]:
        own = (urlsplit(url).hostname or "").lower()
        trusted = (own, *allowed)
        variants = fetch_variants(url, own, params)
        # An expired or untrusted certificate (common on neglected sites, which are the
        # ones compromised) must not blind the content checks: read the page without it.
        certificate = variants["browser"]["error"] if (
            variants["browser"].get("certificate") and params["validate_certs"]) else None
        if certificate:
            variants = fetch_variants(url, own, {**params, "validate_certs": False})
        pages[url] = {name: {"status": v["status"], "location": v["location"],
                             "final_url": v["final_url"], "bytes": len(v["html"]),
                             **({"truncated": True} if v.get("truncated") else {}),
                             **({key: v[key] for key in ("error", "refused") if key in v})}
                      for name, v in variants.items()}
        if certificate:
            pages[url]["certificate"] = certificate
        base = variants["browser"]
        named = len(found)  # the findings before this page's
        if base["status"] == -1:
            # no answer at all (the site down, a refused connection) is the page not
            # checked, which the role reports apart from the findings; redirects within
            # the site that loop or run past the limit (a hijack can hide its last hop
            # to another site behind them) are the site's own doing
            found.append({"kind": "page_unreachable", "url": url, "name": f"page_unreachable: {url}",
                          "reason": "redirects" if base.get("loop") else "no_answer",
                          "error": base["error"],
                          "detail": f"halaman tidak dapat diambil: {base['error']}"})
            continue
        for name, page in variants.items():  # each page parsed and searched once
            page["scan"] = scan_html(page["html"])
            page["keywords"] = found_keywords(page["html"], pattern)
            page["offsite_redirects"] = offsite_redirects(page, own_names)
            if page["offsite_redirects"]:
                pages[url][name]["offsite_redirects"] = page["offsite_redirects"]
        # how each variant is sent to another site: by HTTP, or by the page itself
        sent = {name: [{"by": "http", "host": v["offsite"]}] if "offsite" in v
                else v["offsite_redirects"] for name, v in variants.items()}
        if all(sent.values()):
            # every visitor sent elsewhere: the site hijacked to a gambling site, say
            found.append(offsite_finding(url, [r for rs in sent.values() for r in rs]))
        refused = {name: v["refused"] for name, v in variants.items() if "refused" in v}
        if refused:
            found.append({"kind": "page_redirect", "url": url, "variants": sorted(refused),
                          "name": f"page_redirect: {url}",
                          "detail": "; ".join(dict.fromkeys(refused.values()))
                                    + " (tidak diikuti)"})
        if not all(page["scan"].complete for page in variants.values()):
            found.append({"kind": "hidden_text", "url": url, "style": "", "keywords": [],
                          "links": [], "text": "",
                          "name": f"hidden_text: {url} (markup tidak selesai diurai)",
                          "detail": "markup halaman tidak selesai diurai dalam batas waktu "
                                    "(markup rusak atau sengaja dibuat berat): elemen "
                                    "tersembunyi tidak diperiksa seluruhnya"})
        if any(page["scan"].rule_checks_left <= 0 for page in variants.values()):
            found.append({"kind": "hidden_text", "url": url, "style": "", "keywords": [],
                          "links": [], "text": "",
                          "name": f"hidden_text: {url} (aturan CSS terlalu banyak)",
                          "detail": f"lebih dari {angka(RULE_CHECKS)} pemeriksaan aturan CSS "
                                    "gabungan: elemen tersembunyi tidak diperiksa seluruhnya"})
        for name in (name for name in variants if name != "browser"):
            reasons = compare_variant(base, variants[name], trusted=trusted,
                                      threshold=params["similarity"])
            if reasons:
                found.append({"kind": "cloaking", "url": url, "variant": name,
                              "name": f"cloaking: {url} ({name})",
                              "detail": "; ".join(reasons), "reasons": reasons})
        words: dict[str, list[str]] = {}
        hidden: list[dict[str, Any]] = []
        for name, page in variants.items():
            for word in page["keywords"]:
                words.setdefault(word, []).append(name)
            for region in hidden_findings(page["scan"], pattern, trusted, page["final_url"]):
                if region not in hidden:
                    hidden.append(region)
        if words:
            # acceptable as the court's own text only on a page nothing else is wrong with
            found.append({"kind": "page_spam", "url": url, "keywords": sorted(words),
                          "variants": sorted({v for vs in words.values() for v in vs}),
                          "matches": spam_matches("page", page_path(url), [
                              page["html"] for page in variants.values() if page["keywords"]],
                              pattern),
                          "acceptable": not hidden and len(found) == named,
                          "name": f"page_spam: {url}",
                          "detail": "kata kunci judi: " + ", ".join(sorted(words))})
        for region in hidden:
            found.append({"kind": "hidden_text", "url": url, **region,
                          "name": f"hidden_text: {url} ({region['style'][:40]})",
                          "detail": "teks/tautan tersembunyi: "
                                    + ", ".join(region["keywords"] + region["links"])})
    return pages, found


def offsite_finding(url: str, sent: list[dict[str, Any]]) -> dict[str, Any]:
    """page_offsite: every variant of ``url`` sent to another site, ``sent`` [{by (http,
    or how the page itself redirects), host, seconds (a refresh's long wait)}], named by
    the hosts alone."""
    hosts = sorted({r["host"] for r in sent})
    ways = {host: sorted({"tidak diikuti" if r["by"] == "http" else redirect_way(r)
                          for r in sent if r["host"] == host}) for host in hosts}
    return {"kind": "page_offsite", "url": url, "hosts": hosts,
            "by": sorted({r["by"] for r in sent}),
            "name": f"page_offsite: {url} -> {', '.join(hosts)}",
            "detail": "semua varian halaman dialihkan ke situs lain: "
                      + ", ".join(f"{host} ({', '.join(ways[host])})" for host in hosts)
                      + "; bila itu nama lain situs ini sendiri, tambahkan ke own_hosts "
                        "(website_integrity_own_hosts)"}


def secrets_of(urls: list[str]) -> list[str]:
    """What the URLs carry that no record may show (sop_secrets.url_secrets)."""
    return [secret for url in urls for secret in url_secrets(url)]


def checked_pages(params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """check_pages' pages and findings as the records show them: the URLs' credentials
    (user:password@, secret-looking query values) masked, in the pages' keys too."""
    pages, found = check_pages(params)
    secrets = secrets_of(params["urls"])
    return ({str(mask_url(url)): mask_data(page, secrets) for url, page in pages.items()},
            mask_data(found, secrets))


def matching(column: str, *regexps: str) -> str:
    """SQL: whether ``column``, lower-case, matches one of ``regexps`` (utf8mb4 literals).
    It is read as utf8mb4: a table still in utf8mb3 or latin1 (a site installed before
    WordPress 4.2) compared with characters beyond them is an "Illegal mix of collations"."""
    text = f"LOWER(CONVERT({column} USING utf8mb4))"
    return "(" + " OR ".join(f"{text} REGEXP {regexp}" for regexp in regexps) + ")"


def check_database(conn: Connection, params: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """Posts and options with gambling keywords or hidden links (WordPress)."""
    pattern = keyword_pattern(*spam_words(params))
    words = [quote_string(regexp) for regexp in sql_prefilters(*spam_words(params))]
    hidden_re = quote_string(SQL_HIDDEN)
    titles = f" OR {matching('post_title', *words)}" if words else ""
    posts = quote_identifier(params["table_prefix"] + "posts")
    options = quote_identifier(params["table_prefix"] + "options")
    post_rows = query(conn, (
        f"SELECT ID, post_type, post_status, {nullable_text('post_title')}, "  # noqa: S608
        f"{nullable_text('post_content')} FROM {posts} "
        "WHERE post_type NOT IN ('revision', 'customize_changeset', 'oembed_cache') "
        "AND post_status <> 'trash' "
        f"AND ({matching('post_content', *words, hidden_re)}{titles}) ORDER BY ID;"))
    option_rows = query(conn, (
        f"SELECT option_name, {nullable_text('option_value')} FROM {options} "  # noqa: S608
        "WHERE option_name NOT LIKE '\\_transient%' AND option_name NOT LIKE '\\_site\\_transient%' "
        f"AND {matching('option_value', *words, hidden_re)} ORDER BY option_name;"))
    site = next(iter(params["urls"]), None)  # where posts' relative links lead
    own = (urlsplit(site).hostname or "").lower() if site else ""
    trusted = (own, *allowed_hosts(params))
    found: list[dict[str, Any]] = []
    for row in post_rows:
        title, content = text_value(row[3]) or "", text_value(row[4]) or ""
        words = sorted(set(found_keywords(title, pattern)) | set(found_keywords(content, pattern)))
        scan = scan_html(content)
        hidden = hidden_findings(scan, pattern, trusted, site)
        if not words and not hidden and scan.complete:
            continue
        post_id = int(row[0] or 0)
        detail = [] if scan.complete else ["markup tidak selesai diurai dalam batas waktu"]
        if words:
            detail.append("kata kunci judi: " + ", ".join(words))
        if hidden:
            detail.append("teks/tautan tersembunyi: " + ", ".join(
                sorted({x for h in hidden for x in h["keywords"] + h["links"]})))
        found.append({"kind": "post_spam", "post_id": post_id, "post_type": row[1],
                      "post_status": row[2], "title": title[:200], "keywords": words,
                      "hidden": hidden,
                      "matches": spam_matches("post", str(post_id), [title, content], pattern)
                      if words else [],
                      "acceptable": bool(words) and not hidden and scan.complete,
                      "name": f"post_spam: post {post_id} ({title[:60]})",
                      "detail": "; ".join(detail)})
    for row in option_rows:
        value = text_value(row[1]) or ""
        words = found_keywords(value, pattern)
        scan = scan_html(value)
        hidden = hidden_findings(scan, pattern, trusted, site)
        links = sorted({x for h in hidden for x in h["links"]})
        if words or links or not scan.complete:
            found.append({"kind": "option_spam", "option": row[0], "keywords": words,
                          "links": links,
                          "matches": spam_matches("option", row[0] or "", [value], pattern)
                          if words else [],
                          "acceptable": bool(words) and not hidden and scan.complete,
                          "name": f"option_spam: {row[0]}",
                          "detail": "; ".join(
                              ([] if scan.complete
                               else ["markup tidak selesai diurai dalam batas waktu"])
                              + (["kata kunci judi: " + ", ".join(words)] if words else [])
                              + (["tautan tersembunyi: " + ", ".join(links)] if links else []))})
    return len(post_rows) + len(option_rows), found


def run(params: dict[str, Any], check_mode: bool, conn: Connection | None) -> tuple[bool, dict[str, Any]]:
    started = time.monotonic()
    accepted = accepted_spam(params["spam_accepted"])
    folders = sorted(os.path.abspath(p) for p in params["paths"])
    single = single_files(params["files"], folders)
    # the baseline's roots: its folders and single files (a file root covers itself)
    roots = sorted(folders + single)
    baseline_file = baseline_path(params["state_dir"], os.path.abspath(params["paths"][0]))
    data = load_baseline(baseline_file)
    read_from = baseline_file
    if data is None:  # named by all its folders before 2026-12-02
        read_from = baseline_path(params["state_dir"], *folders)
        data = load_baseline(read_from)
    old = baseline_entries(data, read_from)
    special: dict[str, tuple[str, bool]] = {}
    max_script = params["max_script_bytes"]
    entries, left_out = snapshot(folders, params["exclude"], old, params["max_scan_bytes"],
                                 special, max_script=max_script)
    entries.update(file_entries(single, old, params["max_scan_bytes"], special,
                                max_script=max_script))
    changes = None
    updated: dict[str, list[str]] = {}
    extra: list[dict[str, Any]] = []
    if data is not None:
        accepted_roots = data.get("roots", roots)
        changes, outside = compare_covered(old, entries, accepted_roots, roots)
        if accepted_roots != roots:
            extra.append(roots_finding(accepted_roots, roots, outside))
        updated = packaged(changes, entries, params["package_info"])
        ours = {p for paths in updated.values() for p in paths}
        changes = {kind: [p for p in paths if p not in ours] for kind, paths in changes.items()}
    findings, media = file_findings({**entries, **left_out}, changes, params["allow"],
                                    frozenset(left_out), special, max_script=max_script)
    findings += extra
    changed = False
    if data is None:
        state = "created"
        changed = True
    elif params["accept_baseline"]:
        state = "accepted"
        changed = any((changes or {}).values()) or data.get("roots") != roots
    else:
        state = "compared"
    if changed and not check_mode:
        save_baseline(baseline_file, roots, entries, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    pages, page_findings = checked_pages(params)
    posts_checked = None
    db_findings: list[dict[str, Any]] = []
    database_error = None
    if conn is not None:
        try:
            posts_checked, db_findings = check_database(conn, params)
        except MariaDBError as exc:  # the files and pages were checked: keep what they show
            database_error = str(exc)
    failing, spam_accepted, stale = settle_spam(findings + page_findings + db_findings, accepted)
    # an accepted fingerprint is known to be gone only where everything was read: every
    # page answered with itself (2xx), not with no answer (-1) or an error page (503)
    unread = database_error or any(not 200 <= page["browser"]["status"] < 300
                                   for page in pages.values())
    result = {
        "baseline": state, "baseline_file": baseline_file, "files": len(entries),
        **{key: len((changes or {}).get(key, [])) for key in ("new", "changed", "removed")},
        "packaged": {package: len(paths) for package, paths in updated.items()},
        "media_added": media, "pages": pages, "posts_checked": posts_checked,
        "findings": failing, "spam_accepted": spam_accepted,
        "spam_stale": None if unread else stale, "database_error": database_error,
        "seconds": round(time.monotonic() - started, 3),
    }
    return changed, result


def sop_output(result: dict[str, Any]) -> dict[str, Any]:
    return {"baseline": result["baseline"], "files": result["files"], "new": result["new"],
            "changed": result["changed"], "removed": result["removed"],
            "packaged": result["packaged"], "pages": len(result["pages"]), "posts_checked": result["posts_checked"],
            "findings": [f"{f['name']}: {f['detail']}" for f in result["findings"]],
            "spam_accepted": [f["name"] for f in result["spam_accepted"]],
            "spam_stale": None if result["spam_stale"] is None
            else [entry["fingerprint"] for entry in result["spam_stale"]]}


def main() -> None:
    spec: dict[str, Any] = dict(LOGIN_ARGUMENT_SPEC)
    spec.update(
        paths={"type": "list", "elements": "path", "required": True},
        files={"type": "list", "elements": "path", "default": []},
        state_dir={"type": "path", "default": "/var/lib/sop/website_integrity"},
        accept_baseline={"type": "bool", "default": False},
        exclude={"type": "list", "elements": "str",
                 "default": ["*/cache/*", "*/cache", "*/wp-content/upgrade/*"]},
        allow={"type": "list", "elements": "str", "default": []},
        allow_hosts={"type": "list", "elements": "str", "default": []},
        own_hosts={"type": "list", "elements": "str", "default": []},
        package_info={"type": "path", "default": "/var/lib/dpkg/info"},
        max_scan_bytes={"type": "int", "default": 8 << 20},
        max_script_bytes={"type": "int", "default": MAX_SCRIPT_BYTES},
        urls={"type": "list", "elements": "str", "default": []},
        timeout={"type": "int", "default": 30},
        validate_certs={"type": "bool", "default": True},
        ca_path={"type": "path"},
        similarity={"type": "float", "default": 0.6},
        spam_keywords={"type": "list", "elements": "str", "default": SPAM_KEYWORDS},
        spam_stems={"type": "list", "elements": "str", "default": SPAM_STEMS},
        spam_prefixes={"type": "list", "elements": "str", "default": SPAM_PREFIXES},
        spam_suffixes={"type": "list", "elements": "str", "default": SPAM_SUFFIXES},
        spam_accepted={"type": "list", "elements": "dict", "default": [],
                       "options": {"fingerprint": {"type": "str", "required": True},
                                   "note": {"type": "str"}}},
        database={"type": "str"},
        table_prefix={"type": "str", "default": "wp_"},
        query_timeout={"type": "int", "default": 120},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    # The URLs' credentials (user:password@, a token in the query) never reach the
    # records: the invocation is shown masked, as the pages and their findings are.
    invocation = {"module_args": mask_data(dict(params), secrets_of(params["urls"]))}
    if not params["paths"]:
        module.fail_json(msg="paths: give at least the web root", invocation=invocation)
    # a timeout of 0 failed every page read, blamed on the site (page_unreachable)
    # a CA bundle that cannot be loaded was a traceback at the first page read
    refused = (seconds_error(params, "timeout", "query_timeout")
               or ca_file_error(params, "ca_path"))
    if refused:
        module.fail_json(**refused, invocation=invocation)
    if params["max_script_bytes"] < 1:
        module.fail_json(msg="max_script_bytes must be positive", invocation=invocation)
    if not 0 < params["similarity"] <= 1:
        module.fail_json(msg="similarity must be between 0 and 1", invocation=invocation)
    # returned as its setting, as the time limits are: the website role names the
    # variable a court set (website_integrity_urls, else website_urls), never `urls`
    error = url_option_error([("urls", url) for url in params["urls"]])
    if error:
        module.fail_json(msg=error, setting="urls", invocation=invocation)
    # returned as its setting too: the role names website_integrity_spam_accepted
    try:
        accepted_spam(params["spam_accepted"])
    except ValueError as exc:
        module.fail_json(msg=str(exc), setting="spam_accepted", invocation=invocation)
    conn = None
    if params["database"]:
        binary = find_binary(CLIENT_BINARIES)
        if not binary:
            module.fail_json(msg="neither mariadb nor mysql client found on the host",
                             invocation=invocation)
        conn = connection_from_params(params, str(binary))
    try:
        changed, result = run(params, module.check_mode, conn)
    except IntegrityError as exc:
        module.fail_json(msg=f"website integrity: {exc}", invocation=invocation)
    if result["database_error"]:
        found = "; ".join(f["name"] for f in result["findings"])
        module.fail_json(msg=f"database CMS {params['database']} tidak dapat diperiksa: "
                             f"{result['database_error']}" + (f"; temuan: {found}" if found else ""),
                         changed=changed, integrity=result, sop_output=sop_output(result),
                         invocation=invocation)
    module.exit_json(changed=changed, integrity=result, sop_output=sop_output(result),
                     invocation=invocation)


if __name__ == "__main__":
    main()
