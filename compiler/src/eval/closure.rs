//! Lambdas as values: the parameters and body of a `func(...) { ... }`
//! expression, the scope it closed over, and the evaluator to run it in.

use super::{EvalCore, Failure, ValueScope};
use crate::scope::{Scope, Slot};
use crate::value::{CallError, Callable, Value};
use mcl_grammar::ast::{Expr, Param};
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::Arc;

/// Owns what it runs (the lambda's parameters and body are shared with the
/// tree), since a function value must not borrow: it is `'static`.
pub(crate) struct Closure {
    pub core: Weak<EvalCore>,
    pub scope: Rc<ValueScope>,
    pub params: Arc<[Param]>,
    pub body: Arc<Expr>,
}

impl fmt::Debug for Closure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "func/{}", self.params.len())
    }
}

impl Callable for Closure {
    fn call(&self, args: Vec<Value>) -> Result<Value, CallError> {
        let core = self
            .core
            .upgrade()
            .ok_or_else(|| CallError::Fatal("a function outlived its program".to_owned()))?;
        if args.len() != self.params.len() {
            return Err(CallError::Fatal(format!(
                "this function takes {} arguments, got {}",
                self.params.len(),
                args.len()
            )));
        }
        let mut scope = Scope::empty(Some(Rc::clone(&self.scope)), self.scope.module);
        for (param, arg) in self.params.iter().zip(args) {
            scope
                .binds
                .insert(param.name.name.clone(), Slot::done(&param.name, Ok(arg)));
        }
        match core.expr(&Rc::new(scope), &self.body) {
            Ok(value) => Ok(value),
            Err(Failure::Catchable(error)) => Err(CallError::Catchable(error.message)),
            Err(Failure::Fatal) => Err(CallError::Fatal(
                "the function failed (see the errors above)".to_owned(),
            )),
        }
    }
}
