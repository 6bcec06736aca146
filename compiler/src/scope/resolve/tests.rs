//! The resolver's rules, over a small host that declares modules and
//! instantiates aliases without checking or running anything.

use super::*;
use crate::function::{CallContext, Function};
use crate::scope::Slot;
use crate::value::{CallError, Value};
use mcl_grammar::ast::{Program, Stmt, StmtKind};
use mcl_grammar::{parse_file, FileId};

type TestScope<'a> = Scope<&'a Stmt, u32>;

struct Nothing;

impl Function for Nothing {
    fn signature(
        &self,
        _shape: crate::function::CallShape<'_>,
    ) -> Result<crate::function::Signature, String> {
        Err("not for calling".to_owned())
    }

    fn call(&self, _context: &CallContext<'_>, _args: Vec<Value>) -> Result<Value, CallError> {
        Err(CallError::Fatal("not for calling".to_owned()))
    }
}

/// Module `i` is imported as `"m{i}.mcl"`; core modules are those of the
/// registry.
struct TestHost<'a> {
    modules: &'a [Program],
    scopes: Vec<Option<Rc<TestScope<'a>>>>,
    functions: FunctionRegistry,
    /// The aliases instantiated, in order.
    instantiated: Vec<String>,
    /// Whether making an alias instance fails.
    failing: bool,
}

impl<'a> TestHost<'a> {
    fn new(modules: &'a [Program]) -> TestHost<'a> {
        let mut functions = FunctionRegistry::new();
        functions.register("", "len", Nothing);
        functions.register("fmt", "printf", Nothing);
        TestHost {
            modules,
            scopes: vec![None; modules.len()],
            functions,
            instantiated: Vec::new(),
            failing: false,
        }
    }

    fn import(&self, path: &str) -> Option<ImportTarget> {
        if self.functions.has_module(path) {
            return Some(ImportTarget::Core(path.into()));
        }
        let index: usize = path.strip_prefix('m')?.strip_suffix(".mcl")?.parse().ok()?;
        (index < self.modules.len()).then_some(ImportTarget::Local(index))
    }

    fn declare(
        &self,
        parent: Option<Rc<TestScope<'a>>>,
        module: usize,
        block: &'a [Stmt],
    ) -> TestScope<'a> {
        Scope::declare(
            parent,
            module,
            block,
            &|path| self.import(path),
            &mut Vec::new(),
        )
    }
}

impl<'a> NameHost for TestHost<'a> {
    type Stmt = &'a Stmt;
    type Payload = u32;
    type Failure = String;

    fn functions(&self) -> &FunctionRegistry {
        &self.functions
    }

    fn module_scope(&mut self, index: usize) -> Rc<TestScope<'a>> {
        if let Some(scope) = &self.scopes[index] {
            return Rc::clone(scope);
        }
        let modules = self.modules;
        let scope = Rc::new(self.declare(None, index, &modules[index].body));
        self.scopes[index] = Some(Rc::clone(&scope));
        scope
    }

    fn instantiate_alias(
        &mut self,
        holder: &Rc<TestScope<'a>>,
        include: &&'a Stmt,
    ) -> Result<Rc<TestScope<'a>>, String> {
        let include: &'a Stmt = include;
        let StmtKind::Include { name, alias, .. } = &include.kind else {
            return Err("not an include".to_owned());
        };
        if self.failing {
            return Err(format!("include {} failed", name.name));
        }
        if let Some(alias) = alias {
            self.instantiated.push(alias.name.clone());
        }
        let (definition, class) =
            class(self, holder, &name.name).map_err(|_| "no class".to_owned())?;
        let class = crate::scope::class_decl(class).ok_or("not a class")?;
        let mut instance = self.declare(
            Some(Rc::clone(&definition)),
            definition.module,
            &class.body.stmts,
        );
        instance.adopt_nested_classes(&definition, &class.name.name);
        Ok(Rc::new(instance))
    }
}

fn parse(sources: &[&str]) -> Vec<Program> {
    sources
        .iter()
        .enumerate()
        .map(|(index, text)| {
            parse_file(FileId(index as u32), text)
                .unwrap_or_else(|errors| panic!("{text}: {errors:?}"))
                .program
        })
        .collect()
}

/// Where a variable resolved to: the module of the scope holding it, and
/// the text its declaration names.
fn bound<'n>(found: Resolved<'n, Variable<'n, &Stmt, u32>, TestHost<'_>>) -> (usize, &'n str) {
    match found {
        Ok(Variable::Bind { scope, name, .. }) => (scope.module, name),
        Ok(Variable::Hostname) => panic!("resolved to $hostname"),
        Ok(Variable::Constant) => panic!("resolved to a constant"),
        Err(unresolved) => panic!("unresolved: {unresolved:?}"),
    }
}

fn unresolved<'n, T>(found: Resolved<'n, T, TestHost<'_>>) -> Unresolved<'n, String> {
    match found {
        Ok(_) => panic!("resolved"),
        Err(unresolved) => unresolved,
    }
}

#[test]
fn plain_variables_are_found_innermost_first() {
    let modules = parse(&["$x = 1\n$y = 2\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    let mut inner = Scope::empty(Some(Rc::clone(&top)), 0);
    let shadow = mcl_grammar::ast::Ident {
        name: "x".to_owned(),
        span: Span::new(FileId(0), 40, 41),
    };
    inner.binds.insert("x".to_owned(), Slot::done(&shadow, 7));
    let inner = Rc::new(inner);
    match variable(&mut host, &inner, "x") {
        Ok(Variable::Bind {
            scope, declared_at, ..
        }) => {
            assert!(Rc::ptr_eq(&scope, &inner));
            assert_eq!(declared_at, shadow.span);
        }
        _ => panic!("$x not found in the inner scope"),
    }
    match variable(&mut host, &inner, "y") {
        Ok(Variable::Bind { scope, .. }) => assert!(Rc::ptr_eq(&scope, &top)),
        _ => panic!("$y not found in the top scope"),
    }
}

#[test]
fn hostname_is_a_variable_only_when_nothing_binds_it() {
    let modules = parse(&["$x = 1\n", "$hostname = \"mine\"\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert!(matches!(
        variable(&mut host, &top, "hostname"),
        Ok(Variable::Hostname)
    ));
    let other = host.module_scope(1);
    assert_eq!(
        bound(variable(&mut host, &other, "hostname")),
        (1, "hostname")
    );
}

#[test]
fn unknown_variables_come_with_a_suggestion() {
    let modules = parse(&["$content = 1\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(
        unresolved(variable(&mut host, &top, "contnet")),
        Unresolved::UnknownVariable {
            name: "contnet",
            suggestion: Some("content".to_owned())
        }
    );
}

#[test]
fn star_imports_of_local_modules_are_searched_last() {
    let modules = parse(&[
        "import \"m1.mcl\" as *\n$mine = 1\n",
        "$theirs = 2\n$mine = 3\n",
    ]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(bound(variable(&mut host, &top, "theirs")), (1, "theirs"));
    assert_eq!(bound(variable(&mut host, &top, "mine")), (0, "mine"));
}

#[test]
fn dotted_variables_go_through_imported_modules() {
    let modules = parse(&["import \"m1.mcl\"\nimport \"fmt\"\n", "$port = 80\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(bound(variable(&mut host, &top, "m1.port")), (1, "port"));
    assert_eq!(
        unresolved(variable(&mut host, &top, "m1.pot")),
        Unresolved::UnknownInNamespace {
            prefix: "m1",
            name: "pot",
            suggestion: Some("port".to_owned())
        }
    );
    assert_eq!(
        unresolved(variable(&mut host, &top, "fmt.x")),
        Unresolved::CoreModuleHasNoVariables {
            namespace: "fmt",
            module: "fmt".into()
        }
    );
}

#[test]
fn unknown_namespaces_say_whether_a_core_module_would_do() {
    let modules = parse(&["$x = 1\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(
        unresolved(variable(&mut host, &top, "fmt.x")),
        Unresolved::UnknownNamespace {
            name: "fmt",
            is_core_module: true
        }
    );
    assert_eq!(
        unresolved(function(&mut host, &top, "web.f")),
        Unresolved::UnknownNamespace {
            name: "web",
            is_core_module: false
        }
    );
}

#[test]
fn constants_are_left_to_the_caller_unless_const_is_a_namespace() {
    let modules = parse(&["$x = 1\n", "import \"m2.mcl\" as const\n", "$res = 1\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert!(matches!(
        variable(&mut host, &top, "const.res.file.state.exists"),
        Ok(Variable::Constant)
    ));
    let importer = host.module_scope(1);
    assert_eq!(
        bound(variable(&mut host, &importer, "const.res")),
        (2, "res")
    );
}

#[test]
fn aliases_are_instantiated_once_and_nest() {
    let modules = parse(&[concat!(
        "class inner {\n  $deep = 1\n}\n",
        "class outer {\n  $middle = 2\n  include inner as i\n}\n",
        "include outer as o\n",
    )]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(bound(variable(&mut host, &top, "o.middle")), (0, "middle"));
    assert_eq!(bound(variable(&mut host, &top, "o.i.deep")), (0, "deep"));
    assert_eq!(bound(variable(&mut host, &top, "o.middle")), (0, "middle"));
    assert_eq!(host.instantiated, ["o", "i"]);
}

#[test]
fn inside_a_namespace_only_its_own_namespaces_count() {
    let modules = parse(&[
        "import \"m1.mcl\"\nclass c {\n  $v = 1\n}\ninclude c as a\n",
        "$x = 1\n",
    ]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    assert_eq!(
        unresolved(variable(&mut host, &top, "a.m1.x")),
        Unresolved::UnknownNamespace {
            name: "m1",
            is_core_module: false
        }
    );
}

#[test]
fn an_alias_used_while_it_is_made_is_a_cycle() {
    let modules = parse(&["class c {\n  $v = 1\n}\ninclude c as a\n"]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    let include_span = top.aliases["a"].stmt.span;
    *top.aliases["a"].state.borrow_mut() = SlotState::Busy;
    assert_eq!(
        unresolved(variable(&mut host, &top, "a.v")),
        Unresolved::AliasCycle {
            alias: "a",
            include: include_span
        }
    );
}

#[test]
fn a_failed_instance_is_the_hosts_and_is_not_made_again() {
    let modules = parse(&["class c {\n  $v = 1\n}\ninclude c as a\n"]);
    let mut host = TestHost::new(&modules);
    host.failing = true;
    let top = host.module_scope(0);
    assert_eq!(
        unresolved(alias(&mut host, &top, "a")),
        Unresolved::Host("include c failed".to_owned())
    );
    assert!(matches!(
        unresolved(alias(&mut host, &top, "a")),
        Unresolved::AliasCycle { alias: "a", .. }
    ));
    assert_eq!(
        unresolved(alias(&mut host, &top, "b")),
        Unresolved::AliasNotDeclared { alias: "b" }
    );
}

#[test]
fn classes_by_plain_colon_and_alias_names() {
    let modules = parse(&[
        concat!(
            "import \"m1.mcl\" as *\n",
            "class outer {\n  class inner {\n  }\n}\n",
            "include outer as o\n",
        ),
        "class shared {\n}\n",
    ]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    let class_name = |found: Resolved<'_, (Rc<TestScope<'_>>, &Stmt), TestHost<'_>>| match found {
        Ok((scope, stmt)) => (
            scope.module,
            crate::scope::class_decl(stmt).map(|class| class.name.name.clone()),
        ),
        Err(unresolved) => panic!("unresolved: {unresolved:?}"),
    };
    assert_eq!(
        class_name(class(&mut host, &top, "outer")),
        (0, Some("outer".to_owned()))
    );
    assert_eq!(
        class_name(class(&mut host, &top, "outer:inner")),
        (0, Some("inner".to_owned()))
    );
    assert_eq!(
        class_name(class(&mut host, &top, "o.inner")),
        (0, Some("inner".to_owned()))
    );
    assert_eq!(
        class_name(class(&mut host, &top, "shared")),
        (1, Some("shared".to_owned()))
    );
    assert_eq!(
        unresolved(class(&mut host, &top, "outr")),
        Unresolved::UnknownClass {
            name: "outr",
            suggestion: Some("outer".to_owned())
        }
    );
    assert_eq!(
        unresolved(class(&mut host, &top, "o.nothing")),
        Unresolved::UnknownClass {
            name: "o.nothing",
            suggestion: None
        }
    );
}

#[test]
fn functions_user_core_and_star_imported() {
    let modules = parse(&[
        "import \"fmt\"\nimport \"m1.mcl\"\nfunc double($x) {\n  $x * 2\n}\n",
        "import \"fmt\" as *\nimport \"m2.mcl\" as *\nfunc helper() {\n  1\n}\n",
        "func far() {\n  2\n}\n",
    ]);
    let mut host = TestHost::new(&modules);
    let top = host.module_scope(0);
    let user = |found: Resolved<'_, Callee<&Stmt, u32>, TestHost<'_>>| match found {
        Ok(Callee::User(scope, stmt)) => (
            scope.module,
            crate::scope::func_decl(stmt).map(|decl| decl.name.name.clone()),
        ),
        Ok(Callee::Builtin(_)) => panic!("a core function"),
        Err(unresolved) => panic!("unresolved: {unresolved:?}"),
    };
    assert_eq!(
        user(function(&mut host, &top, "double")),
        (0, Some("double".to_owned()))
    );
    assert_eq!(
        user(function(&mut host, &top, "m1.helper")),
        (1, Some("helper".to_owned()))
    );
    assert!(matches!(
        function(&mut host, &top, "len"),
        Ok(Callee::Builtin(_))
    ));
    assert!(matches!(
        function(&mut host, &top, "fmt.printf"),
        Ok(Callee::Builtin(_))
    ));
    let module = host.module_scope(1);
    assert!(matches!(
        function(&mut host, &module, "printf"),
        Ok(Callee::Builtin(_))
    ));
    assert_eq!(
        user(function(&mut host, &module, "far")),
        (2, Some("far".to_owned()))
    );
    assert_eq!(
        unresolved(function(&mut host, &top, "fmt.prinf")),
        Unresolved::UnknownFunction {
            name: "fmt.prinf",
            suggestion: Some("printf".to_owned()),
            home: None
        }
    );
    assert_eq!(
        unresolved(function(&mut host, &top, "m1.helpr")),
        Unresolved::UnknownFunction {
            name: "m1.helpr",
            suggestion: Some("helper".to_owned()),
            home: None
        }
    );
    assert_eq!(
        unresolved(function(&mut host, &top, "printf")),
        Unresolved::UnknownFunction {
            name: "printf",
            suggestion: None,
            home: Some("fmt".to_owned())
        }
    );
    assert_eq!(
        unresolved(function(&mut host, &top, "lenn")),
        Unresolved::UnknownFunction {
            name: "lenn",
            suggestion: Some("len".to_owned()),
            home: None
        }
    );
}
