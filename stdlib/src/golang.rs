use mcl_compiler::function::FunctionRegistry;
pub(crate) fn register(_registry: &mut FunctionRegistry) {}
