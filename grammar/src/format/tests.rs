//! Golden pairs for each layout rule; `grammar/tests/format.rs` checks the
//! general promises (idempotence, same tree, comments kept) on whole files.

use super::format_source;
use crate::parser::parse_file;
use crate::span::FileId;

fn format(text: &str) -> String {
    match parse_file(FileId(0), text) {
        Ok(parsed) => format_source(&parsed, text),
        Err(errors) => panic!("{text:?} does not parse: {errors:#?}"),
    }
}

/// Formats `input`, compares with `expected`, and checks that `expected` is
/// already canonical.
#[track_caller]
fn golden(input: &str, expected: &str) {
    assert_eq!(format(input), expected, "formatting {input:?}");
    assert_eq!(format(expected), expected, "reformatting {expected:?}");
}

#[test]
fn statements_one_per_line_with_tabs() {
    golden("  $x   =   1\n\n\n\n$y int=2", "$x = 1\n\n$y int = 2\n");
    golden("\n\n$x = 1\n\n", "$x = 1\n");
    golden("", "");
}

#[test]
fn blocks_drop_blank_lines_at_their_edges() {
    golden(
        "if $c {\n\n  $x = 1\n\n\n  $y = 2\n\n}\n",
        "if $c {\n\t$x = 1\n\n\t$y = 2\n}\n",
    );
    golden("if $c {\n} else {\n}\n", "if $c {} else {}\n");
    golden(
        "if $c { $x = 1 } else if $d { $x = 2 } else { $x = 3 }",
        "if $c {\n\t$x = 1\n} else if $d {\n\t$x = 2\n} else {\n\t$x = 3\n}\n",
    );
}

#[test]
fn resource_bodies_have_one_entry_per_line() {
    golden("file \"/a\" {\n}\n", "file \"/a\" {}\n");
    golden(
        "file \"/a\" { content => \"x\", mode => \"0644\" }",
        "file \"/a\" {\n\tcontent => \"x\",\n\tmode => \"0644\",\n}\n",
    );
    golden(
        "http:server \"s\" {\nMeta:noop=>true,\nMeta=>struct{retry=>3,},\nNotify=>Svc[\"s\"],\nBefore => $x ?: File[\"/x\"],\ncontent=>$x > 0 ?: \"pos\"\n}",
        "http:server \"s\" {\n\tMeta:noop => true,\n\tMeta => struct{retry => 3},\n\tNotify => Svc[\"s\"],\n\tBefore => $x ?: File[\"/x\"],\n\tcontent => $x > 0 ?: \"pos\",\n}\n",
    );
    golden(
        "collect file [\"/a\", \"/b\"] { path => \"/srv\" }",
        "collect file [\"/a\", \"/b\"] {\n\tpath => \"/srv\",\n}\n",
    );
}

#[test]
fn collections_on_one_line_drop_the_trailing_comma() {
    golden("$l = [1,2,3,]", "$l = [1, 2, 3]\n");
    golden(
        "$m = {\"a\"=>1,\"b\"=>2,}",
        "$m = {\"a\" => 1, \"b\" => 2}\n",
    );
    golden("$s = struct{a=>1,b=>2,}", "$s = struct{a => 1, b => 2}\n");
    golden("$c = f($a,$b,)", "$c = f($a, $b)\n");
    golden(
        "$e = [\n]\n$f = {\n}\n$g = struct{\n}\n",
        "$e = []\n$f = {}\n$g = struct{}\n",
    );
}

#[test]
fn collections_over_several_lines_get_one_element_per_line() {
    golden("$l = [1,\n2]", "$l = [\n\t1,\n\t2,\n]\n");
    golden(
        "$m = {\"a\" => [1, 2],\n\"b\" => {\"c\" => 3}}",
        "$m = {\n\t\"a\" => [1, 2],\n\t\"b\" => {\"c\" => 3},\n}\n",
    );
    golden("$s = struct{\na => 1}", "$s = struct{\n\ta => 1,\n}\n");
    golden(
        "$c = fmt.printf(\"%d\",\n  3)",
        "$c = fmt.printf(\n\t\"%d\",\n\t3,\n)\n",
    );
    // A line break inside an element does not spread its list.
    golden(
        "$r = iter.map($l, func($x) {\n$x + 1\n})",
        "$r = iter.map($l, func($x) {\n\t$x + 1\n})\n",
    );
}

#[test]
fn operators_are_spaced_and_parentheses_kept() {
    golden(
        "$a = $b+$c*(1 - 2)<|>\"d\"",
        "$a = $b + $c * (1 - 2) <|> \"d\"\n",
    );
    golden(
        "$a = not $x and $y in $l or $s->port==80",
        "$a = not $x and $y in $l or $s->port == 80\n",
    );
    golden("$a = $l[0]->name", "$a = $l[0]->name\n");
    golden("$a = $x - -1", "$a = $x - -1\n");
    golden("$a = ((1))", "$a = ((1))\n");
}

#[test]
fn literals_are_canonical() {
    golden(
        "$s = \"tab\\there \\$x \\${y} ${z} \\a\\b\\f\\v\\r\\\\\"",
        "$s = \"tab\\there $x \\${y} ${z} \\a\\b\\f\\v\\r\\\\\"\n",
    );
    golden("$s = \"two\nlines é\"", "$s = \"two\\nlines é\"\n");
    golden(
        "$f = 2.500\n$g = -0.50\n$i = -007",
        "$f = 2.5\n$g = -0.5\n$i = -7\n",
    );
}

#[test]
fn declarations() {
    golden(
        "func add($a int,$b) int { $a + $b }",
        "func add($a int, $b) int {\n\t$a + $b\n}\n",
    );
    golden(
        "$f = func($x) { $x + 1 }\n$g = func($x str) str {\n$x\n}",
        "$f = func($x) { $x + 1 }\n$g = func($x str) str {\n\t$x\n}\n",
    );
    golden(
        "class base:inner($a,$b str) {\nnoop \"n\" {}\n}\nclass empty {\n}\nclass none() {}",
        "class base:inner($a, $b str) {\n\tnoop \"n\" {}\n}\nclass empty {}\nclass none() {}\n",
    );
    golden(
        "include base:inner(1,\"x\") as alias\ninclude mod.name\ninclude none()",
        "include base:inner(1, \"x\") as alias\ninclude mod.name\ninclude none()\n",
    );
    golden(
        "import \"fmt\"\nimport \"lib.mcl\" as lib\nimport \"dir/\" as *",
        "import \"fmt\"\nimport \"lib.mcl\" as lib\nimport \"dir/\" as *\n",
    );
}

#[test]
fn loops_edges_and_panic() {
    golden(
        "for $i,$v in $l {\n$x = $v\n}\nforkv $k,$v in $m {}",
        "for $i, $v in $l {\n\t$x = $v\n}\nforkv $k, $v in $m {}\n",
    );
    golden(
        "File[\"/a\"]->Exec[\"b\"]->Svc[\"c\"]\nExec[\"e\"].stdout->File[\"/f\"].content\npanic( $x )",
        "File[\"/a\"] -> Exec[\"b\"] -> Svc[\"c\"]\nExec[\"e\"].stdout -> File[\"/f\"].content\npanic($x)\n",
    );
}

#[test]
fn if_expressions_keep_their_line_layout() {
    golden(
        "$x = if $c {1} else if $d {2} else {3}",
        "$x = if $c { 1 } else if $d { 2 } else { 3 }\n",
    );
    golden(
        "$x = if $c {\n1 } else { 2 }",
        "$x = if $c {\n\t1\n} else {\n\t2\n}\n",
    );
    golden(
        "$x = if $c { 1 } else {\nif $d { 2 } else { 3 } }",
        "$x = if $c {\n\t1\n} else if $d {\n\t2\n} else {\n\t3\n}\n",
    );
}

#[test]
fn types_print_on_one_line() {
    golden(
        "$a []str = []\n$b map{str:int} = {}\n$c struct{a int\nb str} = struct{a => 1, b => \"\"}\n$d func(int,str) bool = $f\n$e func(a int) []bool = $g",
        "$a []str = []\n$b map{str: int} = {}\n$c struct{a int; b str} = struct{a => 1, b => \"\"}\n$d func(int, str) bool = $f\n$e func(a int) []bool = $g\n",
    );
}

#[test]
fn comments_on_their_own_lines_stay_there() {
    golden(
        "# header\n\n# about x\n$x = 1\n  # about y\n$y = 2\n# at the end\n",
        "# header\n\n# about x\n$x = 1\n# about y\n$y = 2\n# at the end\n",
    );
    golden(
        "if $c {\n# first\n$x = 1\n\n    # last   \n}\n",
        "if $c {\n\t# first\n\t$x = 1\n\n\t# last\n}\n",
    );
    golden("if $c {\n# only\n}\n", "if $c {\n\t# only\n}\n");
    golden("file \"/a\" {\n# only\n}\n", "file \"/a\" {\n\t# only\n}\n");
    golden("$l = [\n# only\n]\n", "$l = [\n\t# only\n]\n");
}

#[test]
fn trailing_comments_stay_trailing() {
    golden("$x = 1   # one\n$y = 2#two", "$x = 1 # one\n$y = 2 #two\n");
    golden(
        "file \"/a\" { # the file\ncontent => \"x\", # text\nmode => \"0644\" # mode\n}",
        "file \"/a\" { # the file\n\tcontent => \"x\", # text\n\tmode => \"0644\", # mode\n}\n",
    );
    golden(
        "$l = [1, # one\n2 # two\n]",
        "$l = [\n\t1, # one\n\t2, # two\n]\n",
    );
}

#[test]
fn comments_inside_one_line_constructs_move_to_the_line_end() {
    // `$a +` then a line break is one statement printed on one line; the
    // comment cannot stay inside it, so it trails the line it ends up on.
    golden(
        "$x = $a + # why\n\t$b\n$y = 1",
        "$x = $a + $b # why\n$y = 1\n",
    );
    golden(
        "$x = $a +\n# own line\n$b\n$y = 1",
        "$x = $a + $b\n# own line\n$y = 1\n",
    );
}
