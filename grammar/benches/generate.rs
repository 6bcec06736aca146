//! A deterministic generator of realistic mcl programs, for benchmarks and for
//! anything else that needs a large valid input.
//!
//! It owns only the text: it mixes every statement form of spec §3 (binds with
//! interpolation, lists, maps and structs, if/else, for and forkv loops, funcs,
//! classes with includes, resources with several fields, edges, comments) in
//! proportions close to hand-written code. Whether the text parses is checked by
//! the caller, not here.

use std::fmt::Write;

/// Returns a program of at least `lines` lines, the same for the same `seed`.
pub fn program(lines: usize, seed: u64) -> String {
    let mut generator = Generator {
        out: String::with_capacity(lines * 32),
        random: Random(seed | 1),
        counter: 0,
    };
    generator.out.push_str(
        "# Generated mcl program for benchmarks.\nimport \"fmt\"\nimport \"os\"\nimport \"lib.mcl\" as lib\n\n",
    );
    while generator.out.lines().count() < lines {
        // A chunk at a time, so counting lines stays cheap relative to output.
        for _ in 0..64 {
            generator.chunk();
        }
    }
    generator.out
}

/// xorshift64: enough variety for a benchmark, no dependency, stable forever.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "web", "db", "cache", "api", "worker", "proxy", "queue", "auth", "metrics", "backup",
];
const PATHS: &[&str] = &["/etc", "/srv", "/var/lib", "/opt", "/tmp"];
const KINDS: &[&str] = &["file", "exec", "svc", "pkg", "print", "http:server"];

struct Generator {
    out: String,
    random: Random,
    counter: usize,
}

impl Generator {
    fn fresh(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    fn word(&mut self) -> &'static str {
        self.random.pick(WORDS)
    }

    fn chunk(&mut self) {
        match self.random.below(20) {
            0..=5 => self.binds(""),
            6..=8 => self.resource(""),
            9 => self.if_else(),
            10 => self.for_loop(),
            11 => self.forkv_loop(),
            12 | 13 => self.class_with_includes(),
            14 | 15 => self.func(),
            16 | 17 => self.edges(),
            _ => self.comment_block(),
        }
        self.out.push('\n');
    }

    /// A few binds of different shapes.
    fn binds(&mut self, indent: &str) {
        for _ in 0..1 + self.random.below(4) {
            let id = self.fresh();
            let word = self.word();
            let path = self.random.pick(PATHS);
            let line = match self.random.below(9) {
                0 => format!("$name{id} = \"{word}-{id}\""),
                1 => format!("$path{id} str = \"{path}/${{name{}}}/config.d\"", id.max(2) - 1),
                2 => format!("$count{id} int = {} * 3 + -{}", id % 97, id % 7),
                3 => format!("$ratio{id} = {}.5 / 2.0", id % 13),
                4 => format!("$hosts{id} []str = [\"{word}1\", \"{word}2\", \"{word}3\",]"),
                5 => format!(
                    "$ports{id} = {{\n{indent}\t\"{word}\" => {},\n{indent}\t\"admin\" => {},\n{indent}}}",
                    8000 + id % 1000,
                    9000 + id % 1000
                ),
                6 => format!(
                    "$conf{id} = struct{{\n{indent}\tname => \"{word}\",\n{indent}\tport => {},\n{indent}\tenabled => true,\n{indent}}}",
                    1000 + id % 5000
                ),
                7 => format!(
                    "$msg{id} = fmt.printf(\"%s has %d items\", \"{word}\", len([1, 2, 3])) <|> \"none\""
                ),
                _ => format!(
                    "$flag{id} = $count{} > 10 and not ($name{} == \"{word}\") or {} in [1, 2]",
                    id.max(2) - 1,
                    id.max(3) - 2,
                    id % 3
                ),
            };
            let _ = writeln!(self.out, "{indent}{line}");
        }
    }

    /// A resource with several fields, a conditional field, metaparams and edges.
    fn resource(&mut self, indent: &str) {
        let id = self.fresh();
        let word = self.word();
        let path = self.random.pick(PATHS);
        let kind = self.random.pick(KINDS);
        let _ = writeln!(self.out, "{indent}{kind} \"{path}/{word}-{id}\" {{");
        let _ = writeln!(
            self.out,
            "{indent}\tcontent => \"# managed by mgmt\\nhost=${{name{id}}}\\nport=${{port}}\\n\","
        );
        let _ = writeln!(self.out, "{indent}\tmode => \"0644\",");
        let _ = writeln!(self.out, "{indent}\towner => \"{word}\",");
        if self.random.below(2) == 0 {
            let _ = writeln!(self.out, "{indent}\tstate => $enabled ?: \"exists\",");
        }
        if self.random.below(3) == 0 {
            let _ = writeln!(self.out, "{indent}\tMeta:noop => $dry_run,");
            let _ = writeln!(
                self.out,
                "{indent}\tMeta => struct{{retry => 3, delay => 500,}},"
            );
        }
        if self.random.below(3) == 0 {
            let target = self.word();
            let _ = writeln!(self.out, "{indent}\tBefore => Svc[\"{target}\"],");
            let _ = writeln!(
                self.out,
                "{indent}\tNotify => $restart ?: Svc[\"{target}\"],"
            );
        }
        let _ = writeln!(self.out, "{indent}}}");
    }

    fn if_else(&mut self) {
        let id = self.fresh();
        let _ = writeln!(self.out, "if $count{id} > {} {{", id % 50);
        self.resource("\t");
        let word = self.word();
        let _ = writeln!(self.out, "}} else if $name{id} == \"{word}\" {{");
        self.binds("\t");
        self.out.push_str("} else {\n");
        let _ = writeln!(
            self.out,
            "\t$fallback{id} = if $flag{id} {{ \"yes\" }} else {{ \"no\" }}"
        );
        self.out.push_str("}\n");
    }

    fn for_loop(&mut self) {
        let id = self.fresh();
        let _ = writeln!(self.out, "for $i, $host in $hosts{id} {{");
        self.out.push_str("\t$port = 8000 + $i\n");
        let _ = writeln!(self.out, "\t$name{id} = \"${{host}}.example.com\"");
        self.resource("\t");
        self.out.push_str("}\n");
    }

    fn forkv_loop(&mut self) {
        let id = self.fresh();
        let _ = writeln!(self.out, "forkv $service, $port in $ports{id} {{");
        self.out.push_str(
            "\tsvc $service {\n\t\tstate => \"running\",\n\t\tstartup => \"enabled\",\n\t}\n",
        );
        let _ = writeln!(
            self.out,
            "\tprint \"port-${{service}}\" {{\n\t\tmsg => fmt.printf(\"%s listens on %d\", $service, $port),\n\t}}"
        );
        self.out.push_str("}\n");
    }

    fn class_with_includes(&mut self) {
        let id = self.fresh();
        let word = self.word();
        let _ = writeln!(
            self.out,
            "class {word}{id}($name{id} str, $port, $enabled bool) {{"
        );
        self.out
            .push_str("\t# Classes close over their definition scope.\n");
        self.binds("\t");
        self.resource("\t");
        let _ = writeln!(self.out, "\tclass inner{id} {{");
        let _ = writeln!(
            self.out,
            "\t\tpkg \"{word}-tools\" {{\n\t\t\tstate => \"installed\",\n\t\t}}"
        );
        self.out.push_str("\t}\n");
        let _ = writeln!(self.out, "\tinclude inner{id}");
        self.out.push_str("}\n");
        for copy in 0..1 + self.random.below(3) {
            let _ = writeln!(
                self.out,
                "include {word}{id}(\"{word}-{copy}\", {}, true) as {word}{id}x{copy}",
                8000 + copy
            );
        }
    }

    fn func(&mut self) {
        let id = self.fresh();
        match self.random.below(3) {
            0 => {
                let _ = writeln!(
                    self.out,
                    "func add{id}($a int, $b int) int {{\n\t$a + $b * 2\n}}"
                );
            }
            1 => {
                let _ = writeln!(
                    self.out,
                    "func label{id}($prefix str, $n) str {{\n\tfmt.printf(\"%s-%d\", $prefix, $n)\n}}"
                );
            }
            _ => {
                let _ = writeln!(
                    self.out,
                    "$double{id} = func($x int) int {{\n\t$x * 2\n}}\n$doubled{id} = $double{id}({})",
                    id % 100
                );
            }
        }
    }

    fn edges(&mut self) {
        let (first, second, third) = (self.word(), self.word(), self.word());
        let id = self.fresh();
        let _ = writeln!(
            self.out,
            "Pkg[\"{first}\"] -> File[\"/etc/{second}/{id}.conf\"] -> Svc[\"{third}\"]"
        );
        if self.random.below(2) == 0 {
            let _ = writeln!(
                self.out,
                "Exec[\"gen-{id}\"].stdout -> File[\"/srv/{first}/{id}\"].content"
            );
        }
    }

    fn comment_block(&mut self) {
        let id = self.fresh();
        let word = self.word();
        let _ = writeln!(self.out, "# Section {id}: the {word} tier.");
        let _ = writeln!(
            self.out,
            "# Values below are recomputed when their inputs change."
        );
        let _ = writeln!(self.out, "$section{id} = \"{word}\" # trailing comment");
    }
}
