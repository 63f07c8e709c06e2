"""The two webshell detectors: module_utils/sop_integrity.py's markers (the website SOP's
integrity check) and roles/it_security/files/malware.yar (the IT-security SOP's
security_malware_scan, with the real yara). Both catch the same obfuscations real PHP
webshells use; clean PHP written like them matches neither."""

from __future__ import annotations

import codecs
import subprocess
from pathlib import Path

import pytest
from conftest import within
from loader import load, run_module

integrity = load("sop_integrity")
RULES = Path(__file__).resolve().parents[2] / "roles/it_security/files/malware.yar"

# (PHP, the marker, the YARA rule): each trick, as webshells write it
TRICKS = [
    ("<?php eval/**/(base64_decode('ZWNobyAxOw=='));", "eval(base64_decode(", "php_eval_encoded"),
    ("<?php @eval /*x*/ ( gzinflate /* y */ (base64_decode($p)));", "eval(base64_decode(",
     "php_eval_encoded"),
    ("<?php eval /*x*/ ($_POST['c']);", "eval($_REQUEST", "php_request_exec"),
    ("<?php assert\n/* x */ (@$_POST['x']);", "assert($_POST", "php_request_exec"),
    ("<?php system/**/(stripslashes/**/($_GET['c']));", "system($_POST", "php_request_exec"),
    ("<?php $x = base64_decode/* */($p); eval($x);", "eval/**/(", "php_hidden_function_name"),
    ("<?php $f='sys'.'tem'; $f($_GET['c']);", "'sys'.'tem'", "php_hidden_function_name"),
    ('<?php $a="as"."sert"; $a($_POST[x]);', "'sys'.'tem'", "php_hidden_function_name"),
    ("<?php call_user_func('sys' . 'tem', $_GET['c']);", "'sys'.'tem'",
     "php_hidden_function_name"),
    ("<?php $d = 'b'.'a'.'s'.'e'.'6'.'4'.'_'.'d'.'e'.'c'.'o'.'d'.'e'; eval($d($p));",
     "'sys'.'tem'", "php_hidden_function_name"),
    ("<?php $_GET['f']($_GET['c']);", "$_POST[x](", "php_request_exec"),
    ("<?php $_POST['f'] /**/ ($_POST['c']);", "$_POST[x](", "php_request_exec"),
    ("<?php $f = str_rot13('flfgrz'); $f($_GET['c']);", "str_rot13('flfgrz')",
     "php_hidden_function_name"),
    ("<?php $f = strrev('metsys'); $f($_GET['c']);", "strrev('metsys')",
     "php_hidden_function_name"),
    ("<?php $f=chr(115).chr(121).chr(115).chr(116).chr(101).chr(109);$f($_GET['c']);",
     "chr(115).chr(121)", "php_hidden_function_name"),
    ("<?php $f = chr(0x73) . chr( 0171 ).chr(115).CHR(0X74).chr(0145).chr(109); $f($c);",
     "chr(115).chr(121)", "php_hidden_function_name"),
    ('<?php $f="\\x73\\x79\\x73\\x74\\x65\\x6d"; $f($_POST[\'x\']);', '"\\x73\\x79stem"',
     "php_hidden_function_name"),
    ('<?php $f="\\163\\171\\163\\164\\145\\155"; $f($_POST[\'x\']);', '"\\x73\\x79stem"',
     "php_hidden_function_name"),
    ('<?php $f = "\\x53Y\\163t\\x65M"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ("<?php eval // x\n(base64_decode($p));", "eval(base64_decode(", "php_eval_encoded"),
    ("<?php @eval( # run it\n  gzinflate(base64_decode($p)));", "eval(base64_decode(",
     "php_eval_encoded"),
    ("<?php system # x\n// y\n ($_GET['c']);", "system($_POST", "php_request_exec"),
    ("<?php $f($_POST['x']);", "$f($_POST", "php_request_exec"),
    ("<?php $x /**/ ( @$_REQUEST [ 'c' ] );", "$f($_POST", "php_request_exec"),
    ("<?php $_($_COOKIE['c']); $__ // z\n(stripslashes($_GET['c']));", "$f($_POST",
     "php_request_exec"),
    ("<?php eval('?>' . base64_decode($p));", "eval(base64_decode(", "php_eval_encoded"),
    ("<?php eval ( \"?>\" /**/ . gzinflate(base64_decode($p)));", "eval(base64_decode(",
     "php_eval_encoded"),
    ("<?php $f = chr(83).chr(89).chr(83).chr(84).chr(69).chr(77); $f($c);", "chr(115).chr(121)",
     "php_hidden_function_name"),
    ("<?php $f = CHR(115).CHR(0X59).CHR(0123).chr(116).chr(0x65).chr(77); $f($c);",
     "chr(115).chr(121)", "php_hidden_function_name"),
    ('<?php $f = "s\\x79stem"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ('<?php $f = "syste\\155"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ('<?php $f = "\\u{73}ystem"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ('<?php $f = "ev\\u{0041}L"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ('<?php $f = "sy"."\\x73"."tem"; $f($c);', '"\\x73\\x79stem"', "php_hidden_function_name"),
    ('<?php $f = \'as\' . "\\u{73}e" . \'rt\'; $f($c);', '"\\x73\\x79stem"',
     "php_hidden_function_name"),
    # a comment PHP allows that the gap once did not: stars inside it, more than four in a
    # row, a line comment ended by a lone carriage return
    ("<?php eval/* a*b */($c);", "eval/**/(", "php_hidden_function_name"),
    ("<?php eval/********/ (base64_decode($p));", "eval(base64_decode(", "php_eval_encoded"),
    ("<?php system /** @var x **/ (/* * */ $_GET['c']);", "system($_POST", "php_request_exec"),
    ("<?php eval // x\r($c);", "eval/**/(", "php_hidden_function_name"),
    # a name of quoted pieces and chr() calls
    ("<?php $f = 'sy'.chr(115).'tem'; $f($c);", "'sy'.chr(115).'tem'",
     "php_hidden_function_name"),
    ('<?php $f = chr(115) . "ys" . CHR(0x74) . chr(101) . \'m\'; $f($c);',
     "'sy'.chr(115).'tem'", "php_hidden_function_name"),
    ("<?php $f = 's' . \"y\" . chr(115).'te'.chr(0155); $f($c);", "'sy'.chr(115).'tem'",
     "php_hidden_function_name"),
    # a name appended piece by piece to one variable, the pieces also joined by dots
    ("<?php $f = 'sys'; $f .= 'tem'; $f($_POST['x']);", "$f = 'sys'; $f .= 'tem'",
     "php_hidden_function_name"),
    ("<?php $f = 's'; $f .= 'ys' . 'te';\n$f.=\"m\"; $f($c);", "$f = 'sys'; $f .= 'tem'",
     "php_hidden_function_name"),
    ('<?php $f = "ba"; $f .= "se64_"; $f .= "decode"; $f($x);', "$f = 'sys'; $f .= 'tem'",
     "php_hidden_function_name"),
    ('<?php $f="as"; $f.="sert"; $f($_POST[\'x\']);', "$f = 'sys'; $f .= 'tem'",
     "php_hidden_function_name"),
    ("<?php $_x1 = ''; $_x1 .= 'sh'; $_x1  .=  \"ell_\\x65xec\"; $_x1($c);",
     "$f = 'sys'; $f .= 'tem'", "php_hidden_function_name"),
    # its pieces in another case: PHP's function names are case-insensitive
    ("<?php $f='SYS'; $f.='TEM'; $f($c);", "$f = 'sys'; $f .= 'tem'", "php_hidden_function_name"),
    ('<?php $Cmd = "Sh"; $Cmd .= "ELL_\\x45xec"; $Cmd($c);', "$f = 'sys'; $f .= 'tem'",
     "php_hidden_function_name"),
]
HEX, OCTAL, UNICODE = "\\x{:x}", "\\{:o}", "\\u{{{:04x}}}"  # PHP's escapes in double quotes
# names too long for a YARA string to allow an escape in their pieces appended to a
# variable (yara's 128 branches and repeats): those are UNCOMMENTED's
LONG_NAMES = ("base64_decode", "create_function", "gzuncompress")


def spelled(name: str, each: str, between: str = "") -> str:
    """``name`` with each letter's code written as ``each`` says (``chr({})``)."""
    return between.join(each.format(ord(letter)) for letter in name)


# every name the markers know hidden each way, so that a name added to one detector
# alone fails here
HIDDEN = [
    *[(f"<?php $f = '{n[:len(n) // 2]}' . \"{n[len(n) // 2:]}\";", "'sys'.'tem'") for n in
      integrity.HIDDEN_NAMES],
    *[(f"<?php $f = str_rot13 ( '{codecs.encode(n, 'rot13')}' );", "str_rot13('flfgrz')")
      for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = strrev(\"{n[::-1]}\");", "strrev('metsys')") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php {n} /** x **/ ($p);", "eval/**/(") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php {n} // x\n ($p);", "eval/**/(") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php {n}# x\n($p);", "eval/**/(") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = {spelled(n, 'chr({})', '.')};", "chr(115).chr(121)")
      for n in integrity.HIDDEN_NAMES],
    *[(f'<?php $f = "{spelled(n, HEX)}";', '"\\x73\\x79stem"') for n in integrity.HIDDEN_NAMES],
    *[(f'<?php $f = "{spelled(n, OCTAL)}";', '"\\x73\\x79stem"') for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = {spelled(n.upper(), 'chr({})', '.')};", "chr(115).chr(121)")
      for n in integrity.HIDDEN_NAMES],
    *[(f'<?php $f = "{n[:-1]}{spelled(n[-1], HEX)}";', '"\\x73\\x79stem"')
      for n in integrity.HIDDEN_NAMES],
    *[(f'<?php $f = "{n[:1]}{spelled(n[1:], UNICODE)}";', '"\\x73\\x79stem"')
      for n in integrity.HIDDEN_NAMES],
    *[(f'<?php $f = "{n[:2]}" . "{spelled(n[2], OCTAL)}" . "{n[3:]}";', '"\\x73\\x79stem"')
      for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = '{n[:2]}' . {spelled(n[2], 'chr({})')} . '{n[3:]}';",
       "'sy'.chr(115).'tem'") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = {spelled(n[0], 'chr({})')}.'{n[1:-1]}'.{spelled(n[-1], 'chr({})')};",
       "'sy'.chr(115).'tem'") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = '{n[:1]}'; $f .= '{n[1:-1]}';\n $f .= \"{n[-1]}\";",
       "$f = 'sys'; $f .= 'tem'") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = '{n[:2]}'; $f .= \"{spelled(n[2], OCTAL)}{n[3:]}\";",
       "$f = 'sys'; $f .= 'tem'") for n in integrity.HIDDEN_NAMES if n not in LONG_NAMES],
]
ALL = TRICKS + [(text, marker, "php_hidden_function_name") for text, marker in HIDDEN]
LONG = "x" * 300  # a comment's text longer than GAP's bound (200 characters)
# Tricks the markers alone catch, reading each file with its comments shortened too
# (sop_integrity.Uncommented): yara has no such pass and its strings bound each comment;
# a comment between pieces appended to a variable ($f .= ..) is one of them, and so is
# an escape in a long name's appended pieces (LONG_NAMES)
UNCOMMENTED = [
    ("<?php $f = 'sy'/*x*/.'stem'; $f($_GET['c']);", "'sys'.'tem'"),
    ("<?php $f = 'ev' . /* */ 'al'; $f($c);", "'sys'.'tem'"),
    ("<?php $f = \"sys\" // x\n . 'tem' # y\n; $f($c);", "'sys'.'tem'"),
    ("<?php $f = 'sy' /* x */ . \"\\x73\" . 'tem'; $f($c);", '"\\x73\\x79stem"'),
    ("<?php $f = 'sy' . /**/ chr(115) /* x */ . 'tem'; $f($c);", "'sy'.chr(115).'tem'"),
    ("<?php $f = chr(115)/* s */.chr(121).chr(115).chr(116).chr(101).chr(109); $f($c);",
     "chr(115).chr(121)"),
    ("<?php $cmd = ''; $cmd .= 'pass'; /* x */ $cmd .= \"\\x74hru\"; $cmd($c);",
     "$f = 'sys'; $f .= 'tem'"),
    (f"<?php eval/* {LONG} */($_POST['a']);", "eval($_REQUEST"),
    (f"<?php system/* {LONG} */($c);", "eval/**/("),
    (f"<?php assert // {LONG}\n(base64_decode($p));", "assert(base64_decode("),
    ("<?php eval/* a*b/c */($c);", "eval/**/("),
    ("<?php eval /* a*b/c */ ($_POST['c']);", "eval($_REQUEST"),
    *[(f"<?php $f = '{n[:2]}' /* x */ . // y\n '{n[2:]}';", "'sys'.'tem'")
      for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = '{n[:1]}'; /* x */ $f .= '{n[1:]}';", "$f = 'sys'; $f .= 'tem'")
      for n in integrity.HIDDEN_NAMES],
    *[(f"<?php $f = '{n[:2]}'; $f .= \"{spelled(n[2], OCTAL)}{n[3:]}\";",
       "$f = 'sys'; $f .= 'tem'") for n in LONG_NAMES],
    *[(f"<?php {n} /* {LONG} */ ($p);", "eval/**/(") for n in integrity.HIDDEN_NAMES],
    *[(f"<?php {n}/* a*b/c */ ($p);", "eval/**/(") for n in integrity.HIDDEN_NAMES],
]
# A name appended in statements apart (at most 3 statements before each append): the
# markers alone, as malware.yar says
APART = [
    ("<?php $f = 'sys'; $x = 1; $f .= 'tem'; $f($c);", "$f = 'sys'; $f .= 'tem'"),
    ("<?php $f = 'sh'; foo('a;b', \"it\\\"s;\"); $y = 2;\n$f .= 'ell_'; if ($y) $z = 3;"
     " $f .= \"\\x65xec\"; $f($c);", "$f = 'sys'; $f .= 'tem'"),
    *[(f"<?php $f = '{n[:1]}'; $x = 1; $f .= '{n[1:]}';", "$f = 'sys'; $f .= 'tem'")
      for n in integrity.HIDDEN_NAMES],
]
# Clean code written like the tricks (from WordPress, getID3 and phpMyAdmin; a method
# named by a variable): no finding.
CLEAN = [
    "<?php if ( function_exists( 'exec' ) && ! in_array( 'system', $disabled, true ) ) {}",
    "<?php $query = \"$wpdb->terms AS t\" . 'or'. 'or'; $table = 'mysql'.'user';",
    "<?php if (substr(strrev($id3v1), 0, 9) == strrev('LYRICSEND')) { $t = str_rot13($t); }",
    "<?php $data = base64_decode( /* the logo */ get_option( 'court_logo' ) );",
    "<?php call_user_func( $callback, $_POST ); $page = isset( $_GET['page'] ) ? 1 : 0;",
    "<?php // Add magic quotes and set up $_REQUEST ( $_GET + $_POST ).\nwp_magic_quotes();",
    "<?php $func = 'wp_' . $type . '_exists'; $class = 'WP_' . 'Query'; exec( $cmd );",
    "<?php if (substr($asciidata, strlen($asciidata) - 2, 2) == chr(0).chr(0)) {}",
    '<?php $iri = trim($iri, "\\x20\\x09\\x0A\\x0C\\x0D"); switch ($c) { case "\\x78": }',
    "<?php exec( $cmd ); // run the system command\n$out = $this->$action( $_REQUEST['id'] );",
    "<?php $tag = 'ID3' . chr(0) . 'v1'; $eol = chr(13) . chr(10) . 'end'; $s = 'e' . chr(118);",
    "<?php /** @var string * the command */ exec( $cmd ); // run the system\r$v = trim( $raw );",
    # names appended to, comments between pieces and long comments before a parenthesis,
    # written by clean code (UNCOMMENTED's counterparts)
    "<?php $class = 'wp-block'; $class .= ' is-' . $style; $classes .= 'name'; $s = 'sys';\n"
    "$s .= 'tems'; $t = 'ev'; $u .= 'al'; $sql = 'SELECT *'; $sql .= ' FROM t';",
    "<?php $label = 'Sy' /* brand */ . 'stems'; $dir = 'ev' . /* the folder */ $al . 'al';",
    f"<?php /** Runs eval( on the system. {LONG} */\nexec( /* {LONG} */ $cmd );"
    f"\n$out = trim( // {LONG}\n$raw ); # system\n$x = strlen( $y );",
    "<?php $glob = $dir . '/*.php'; $f = 'sy'; $url = 'http://example.test/'; $g = '*/';\n"
    "$h = 'stem'; $re = '#^/wp-#'; $p = \"ev\" . \"/* al */\" . \"al\";",
    "<?php $x = <<<EOT\n'sy' /* x */ . 'stem'\n  EOT;\n$y = <<<'N'\neval/* a*b/c */($c)\nN;\n",
    f"<p>'sy' /* x */ . 'stem', eval/* {LONG} */(</p><?php echo 1; ?>eval/* a*b/c */($c)",
    # comments beside calls, and strings appended to in a loop, to other variables (one
    # name the beginning of the other), or past a name
    "<?php foo( /* arg */ $x ); $y = bar /* why */ ( 2 ); exec( /* the command */ $cmd );"
    "\n// system\n( $a || $b ); /* eval */ ( function () {} )(); assert( $ok ); # exec",
    "<?php $str = ''; foreach ( $items as $item ) { $str .= \"text\"; $str .= $item; }\n"
    "$output .= '<li>'; $output .= esc_html( $title ); $output .= '</li>'; $sql = \"SELECT\";"
    "\n$sql .= \" * FROM {$wpdb->posts}\"; $query .= \"sys\"; $query .= 'tem_id';",
    "<?php $f = 'sys'; $fg .= 'tem'; $ab = 'ev'; $a .= 'al'; $action = 'exec';"
    " $action .= 'ute'; $mode = 'eval'; $mode .= 'uate'; $s = 'pass'; $s .= 'thrue';",
    # appends to a variable of another case (PHP's variables are case-sensitive), or
    # making another word, with statements between
    "<?php $F = 'sys'; $f .= 'tem'; $E = 'ev'; $e .= 'al'; $Cmd = 'ex'; $x = 1; $cmd .= 'ec';",
    "<?php $s = 'sys'; $n = count( $a ); $s .= 'tems'; $mode = 'pass'; do_it( 'x;y' );"
    " $mode .= 'word'; $sql = 'SELECT *'; $where = ''; $sql .= ' FROM t';",
]

# Code both detectors must judge alike: the cases where they once differed (YARA alone
# knew assert(base64_decode(..)), call_user_func($_GET[..]) and WSOsetcookie; the markers
# alone knew the hex2bin and convert_uudecode decoders, gzinflate(base64_decode(..)) not
# run at once, $_SERVER as eval's input, create_function with the input later on,
# file_put_contents of the input, other webshells' names and any preg_replace delimiter;
# YARA also took pg_exec($_POST..) for exec). A webshell is every one but the last two.
AGREE = [
    "<?php assert(base64_decode($p));",
    "<?php @assert /**/ ('?>' . gzinflate(base64_decode($p)));",
    "<?php eval(hex2bin('6563686f20313b'));",
    "<?php eval(convert_uudecode($p));",
    "<?php $code = gzinflate(base64_decode($p));",
    "<?php $code = gzuncompress ( str_rot13($p) );",
    "<?php eval($_SERVER['HTTP_X_CODE']);",
    "<?php assert(stripslashes($_SERVER['QUERY_STRING']));",
    "<?php system($_SERVER['HTTP_X_CMD']);",
    "<?php call_user_func($_GET['f'], $_GET['c']);",
    "<?php array_map /**/ ($_REQUEST['f'], array($_REQUEST['c']));",
    "<?php $f = create_function('', $_POST['code']);",
    "<?php file_put_contents($_GET['name'], $_POST['body']);",
    "<?php /* IndoXploit */ echo 'ok';",
    "<?php $x = 'wso_version'; ?>",
    "<?php // filesman\n",
    "<?php function WSOsetcookie($k, $v) {}",
    "<?php echo php_uname(); ?><?php echo uname(); ?>",
    "<?php $b = str_replace('xy', '', 'bxyaxysxye6xy4_xydecode');",
    "<?php preg_replace('~.*~e', $_POST['c'], '');",
    "<?php preg_replace /**/ (\"=x=ie\", $r, $s);",
    "<?php eval(base64_decode('" + "QUJD" * 800 + "'));",
    "<?php pg_exec($_POST['query']);",
    "<?php $r = $this->sanitize($_SERVER['HTTP_HOST']); $m = my_usort($_POST['list']);",
]
# Markers of how the site is served, not of code that runs: the IT-security SOP's YARA
# rules leave them out on purpose (module_utils/sop_integrity.py says why).
SITE_MARKERS = {"user-agent cloaking", "referer cloaking", "htaccess php handler",
                "htaccess search-engine redirect"}


def yara_rules(tmp_path: Path, texts: list[str]) -> list[set[str]]:
    """The rules security_malware_scan's yara matched in each text (one file each)."""
    site = tmp_path / "www"
    site.mkdir()
    for number, text in enumerate(texts):
        (site / f"{number}.php").write_text(text)
    rc, result = run_module("security_malware_scan", tmp_path, {
        "paths": [str(site)], "rules": RULES.read_text(encoding="utf-8"), "clamav": "never"})
    assert rc == 0, result.get("msg")
    found: list[set[str]] = [set() for _ in texts]
    for match in result["matches"]:
        found[int(Path(match["path"]).stem)].add(match["rule"])
    return found


@pytest.mark.parametrize(("text", "marker", "rule"), ALL)
def test_the_markers_catch_each_trick(text, marker, rule):
    assert marker in integrity.markers(text)


@pytest.mark.parametrize(("text", "marker"), APART)
def test_the_markers_catch_a_name_appended_in_statements_apart(text, marker):
    """Other statements between the appends ($f = 'sys'; $x = 1; $f .= 'tem'), which
    yara cannot tell from appends to another variable."""
    assert marker in integrity.markers(text)


@pytest.mark.parametrize(("text", "marker"), UNCOMMENTED)
def test_the_markers_catch_each_trick_their_comments_hide(text, marker):
    """Comments of any length and content, between a name's pieces too and between the
    statements appending them to a variable: the markers read each file with its comments
    shortened (the YARA rules cannot: UNCOMMENTED)."""
    assert marker in integrity.markers(text)


@pytest.mark.parametrize(("text", "shortened"), [
    ("<?php $a = '/* x */'; # c\n$b = 1; // d\r\n",
     "<?php $a = '/* x */'; /**/\n$b = 1; /**/\r\n"),
    ("<?php $u = \"http://x/#y\" . `ls //x`; /* c\n * d */ $v;",
     "<?php $u = \"http://x/#y\" . `ls //x`; /**/ $v;"),
    ("<?php $s = 'it\\'s // no' . \"a\\\"#b\" . '\\\\'; // c",
     "<?php $s = 'it\\'s // no' . \"a\\\"#b\" . '\\\\'; /**/"),
    ("<?php echo 1; // c ?> <p>// not /* PHP</p><?= 2 # d",
     "<?php echo 1; /**/?> <p>// not /* PHP</p><?= 2 /**/"),
    ("<?php $h = <<<EOT\n// text\n  EOTX\n  EOT; // c\n$n = <<< 'N'\n/* text */\nN;",
     "<?php $h = <<<EOT\n// text\n  EOTX\n  EOT; /**/\n$n = <<< 'N'\n/* text */\nN;"),
    ("<?php $a << 1; $b <<<= /* c */ 2; /* unclosed", "<?php $a << 1; $b <<<= /**/ 2; /**/"),
], ids=["line-comments", "strings-and-block", "escapes", "php-tags", "heredoc-nowdoc", "unclosed"])
def test_comments_are_shortened_where_php_reads_them(text, shortened):
    assert integrity.uncommented(text) == shortened


def test_comments_are_shortened_alike_however_a_file_is_cut_into_blocks():
    """A file is read in blocks: a comment, string, escape, heredoc or PHP tag cut by a
    block's end is read as a whole (the view of every cut equals the whole file's)."""
    text = "".join(text for text, _ in UNCOMMENTED) + "".join(CLEAN) + (
        "<?php $h = <<<\"EOT\"\n/* x */\n EOT;\n$a = '\\\\'; $b = \"\\\"\"; #c ?>x<? /**/ <<<N")
    whole = integrity.uncommented(text)
    for size in (1, 2, 3, 5, 7):
        reader = integrity.Uncommented()
        parts = [reader.feed(text[at:at + size]) for at in range(0, len(text), size)]
        assert "".join(parts) + reader.feed("", final=True) == whole, size


def test_the_yara_rules_catch_each_trick(tmp_path):
    found = yara_rules(tmp_path, [text for text, _, _ in ALL])
    assert [(text, rule) for (text, _, rule), rules in zip(ALL, found, strict=True)
            if rule not in rules] == []


def test_clean_php_written_like_the_tricks_matches_neither(tmp_path):
    assert {text: integrity.markers(text) for text in CLEAN} == {text: [] for text in CLEAN}
    assert yara_rules(tmp_path, CLEAN) == [set() for _ in CLEAN]


@pytest.mark.parametrize("text", [
    "eval/" + "*" * (1 << 20), "eval/*" + "*" * (1 << 20), "eval /**/ " * (1 << 17),
    "'s'.'y'.'s'.'t'.'e'" * (1 << 16), "str_rot13(/**/" * (1 << 16), "eval(" + " " * (1 << 20),
    "# eval\n" * (1 << 17), "$a // $b\n" * (1 << 17), "$" + "a" * (1 << 20),
    "chr(115)." * (1 << 17), '"\\x73\\171' * (1 << 17), "chr(83).chr(0x59)." * (1 << 16),
    '"\\u{' + "0" * (1 << 20), '"s"."\\u{79}"."' * (1 << 16), "eval/* *" * (1 << 17),
    "# eval\r" * (1 << 17), "'s'.chr(121)." * (1 << 16), "chr(115).'y'." * (1 << 16),
    "<?php " + "eval/*" * (1 << 17), "<?php " + "eval/**/" * (1 << 17),
    "<?php " + "'s'/*x*/.'y'/**/." * (1 << 16), "<?php " + "$f = 's'; $f .= 'y'; " * (1 << 15),
    "<?php " + "'" * (1 << 20), "<?php \"" + "\\" * (1 << 20), "<?php <<<a\n" + "\n " * (1 << 19),
    "<?php " + "<<<" * (1 << 18), "<?php " + "<<<a\na;" * (1 << 17), "<??>" * (1 << 18),
    "<?php //" + "?" * (1 << 20),
], ids=["stars", "comment-stars", "comments", "pieces", "rot13-comments", "spaces",
        "line-comments", "variables-in-line-comments", "long-variable", "chr", "escapes",
        "upper-case-chr", "unicode-zeros", "escaped-pieces", "stars-in-comments",
        "carriage-returns", "pieces-and-calls", "calls-and-pieces", "unclosed-comments",
        "names-and-comments", "pieces-and-comments", "appends", "quotes", "backslashes",
        "heredoc-lines", "heredoc-openers", "heredocs", "php-tags", "line-comment-ends"])
def test_a_crafted_file_stalls_no_new_marker(text):
    """Comments are bounded (200 characters before a star inside, 200 after), or a run of
    stars after a name (minutes per 1 MiB block) would stall the check; so is the
    number of line comments in a row, or a name at the end of each (# eval, then the
    next line) would read the rest of the file again from each. Comments longer or
    stranger are found by shortening them first, in one pass: a regex widened to read
    them ("/\\*.*?\\*/") would read the rest of the file again from each unclosed
    "eval/*" (unclosed-comments: hours)."""
    with within(20, "reading the file"):
        assert integrity.markers(text) == []


def test_both_detectors_judge_each_sample_alike(tmp_path):
    """Whether a file is a webshell: the markers (those of code) and the YARA rules (but
    the gambling spam's) give the same answer for every sample, planted or clean."""
    samples = [text for text, _, _ in ALL] + AGREE + CLEAN
    found = yara_rules(tmp_path, samples)
    verdicts = [(text, bool(set(integrity.markers(text)) - SITE_MARKERS),
                 bool(rules - {"gambling_spam"}))
                for text, rules in zip(samples, found, strict=True)]
    assert [each for each in verdicts if each[1] != each[2]] == []
    assert [text for text, marked, _ in verdicts if not marked] == AGREE[-2:] + CLEAN


def test_the_yara_rules_compile_without_a_warning(tmp_path):
    """yara warns of strings whose every atom is short or common ("may slow down
    scanning"): each such string is tried at most offsets of every file."""
    result = subprocess.run(["yara", str(RULES), str(tmp_path)], capture_output=True, text=True,
                            check=False)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(("text", "rules"), [
    ("<?php " + "$a='s';$b.='ystem';" * (1 << 16), ["php_hidden_function_name"]),
    ("<?php " + ("$a = 'sy';" + " " * 4000 + "$b .= \"stem\";") * 300,
     ["php_hidden_function_name"]),
    ("<?php " + f"${'a' * 64}='s';${'a' * 63}b.='ystem';" * (1 << 13),
     ["php_hidden_function_name"]),
    ("<?php " + f"${'a' * 64} = 'sy';{' ' * 4000}${'a' * 63}b .= \"stem\";" * 100, []),
    ("<?php " + "'system';" * (1 << 16), []),
    ("<?php " + "\"EvAl\"," * (1 << 16), []),
    ("<?php " + "$_GET($_GET[0]);" * (1 << 16), []),
], ids=["appends", "spaced-appends", "long-variables", "appends-within-the-limit", "names",
        "names-in-either-case", "superglobals-called"])
def test_a_crafted_file_is_scanned_in_time(tmp_path, text, rules):
    """Each line matches a YARA string each time, which the condition then refuses (a
    name in one piece, no escape and no call; a superglobal called): yara finds a
    string's i-th match by walking those before it, so a condition reading each match by
    its index took minutes for such a file (names: 50 s for half of it), hours for
    appends. The appends' first 100 are read (each within its match: its white space
    and names of at most 64 characters); more than 100 are a finding, counted."""
    (tmp_path / "crafted.php").write_text(text)
    result = subprocess.run(["yara", str(RULES), str(tmp_path)], capture_output=True,
                            text=True, check=False, timeout=20)
    assert (result.returncode, result.stdout.split()[::2], result.stderr) == (0, rules, "")


@pytest.mark.parametrize(("decoys", "trick", "yara_finds"), [
    (150, True, True), (99, True, True), (100, False, False), (101, False, True),
], ids=["150-decoys", "99-decoys", "100-decoys-alone", "101-decoys-alone"])
def test_a_name_appended_after_decoy_appends_is_found(tmp_path, decoys, trick, yara_finds):
    """YARA reads a name's first 100 appends only (by index, each compared byte by byte):
    decoys appending its pieces to other variables once pushed the real append out of
    them. More than 100 are a finding themselves (the markers, which compare the variable
    with a back-reference, need no such limit: a flood alone is no webshell to them)."""
    text = "<?php\n" + "".join(f"$a{n} = 'sy'; $b{n} .= 'stem';\n" for n in range(decoys))
    if trick:
        text += "$f = 'sys'; $f .= 'tem'; $f($c);\n"
    assert (integrity.markers(text) != []) == trick
    expected = {"php_hidden_function_name"} if yara_finds else set()
    assert yara_rules(tmp_path, [text]) == [expected]


@pytest.mark.parametrize(("decoy", "trick"), [
    ("'system';", "$f = 'sys'.'tem';"),
    ("'system';", "$f = \"s\\x79stem\";"),
    ("'system';", "$f = 'sy'.chr(115).'tem';"),
    ("$_POST($_POST['x']);", "$f($_POST['x']);"),
], ids=["pieces", "escape", "pieces-and-call", "variable-called"])
def test_a_trick_after_many_decoys_is_found(tmp_path, decoy, trick):
    """Every match counts, however many clean ones of the same string come first."""
    text = "<?php " + decoy * 1000 + trick
    assert integrity.markers(text) != []
    assert yara_rules(tmp_path, [decoy, text]) == [
        set(), {"php_request_exec" if "$_POST" in trick else "php_hidden_function_name"}]


def test_a_file_past_yara_s_match_limit_is_a_finding(tmp_path):
    """yara keeps a million matches of one string per file, then warns that the rule's
    result may be wrong (hidden by -w): a webshell behind a million decoys was reported
    as nothing found."""
    site = tmp_path / "www"
    site.mkdir()
    (site / "padded.php").write_text("<?php " + "'system';" * 1_100_000 + "$f = 'sy'.'stem';")
    rc, result = run_module("security_malware_scan", tmp_path, {
        "paths": [str(site)], "rules": RULES.read_text(encoding="utf-8"), "clamav": "never"})
    assert rc == 0, result.get("msg")
    incomplete = [f for f in result["findings"] if f["kind"] == "malware_incomplete"]
    assert len(incomplete) == 1 and str(site) in incomplete[0]["message"]
    assert incomplete[0]["samples"][0].startswith(f"{site}: php_hidden_function_name $")


def test_yara_s_failure_names_its_error_not_a_warning_before_it(tmp_path):
    """yara runs without -w (its 'too many matches' warning is read), so a rule's warning
    comes first on stderr: the failure named 'may slow down scanning', not the error."""
    site = tmp_path / "www"
    site.mkdir()
    rules = ("rule slow { strings: $a = /a.*b/ condition: $a }\n"
             "rule bad { condition: undefined_name }\n")
    rc, result = run_module("security_malware_scan", tmp_path, {
        "paths": [str(site)], "rules": rules, "clamav": "never"})
    assert rc != 0
    assert result["msg"].startswith(f"yara failed on {site}: error: ")
    assert "undefined identifier" in result["msg"]
