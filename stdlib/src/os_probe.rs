//! The `os` functions that read kernel facts through the host's `read_file`:
//! `is_virtual()` (a hypervisor CPU flag or a virtual vendor in DMI) and
//! `modinfo_loaded(module)` (`/proc/modules`); the account functions are in
//! `os_accounts`. The reading stays behind the injected host, so tests use a
//! memory host and the compiler never touches the filesystem.

use crate::native::{arg_str, io_message, Native};
use mcl_compiler::function::{CallContext, FunctionRegistry, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "os";

/// DMI files naming the machine; a virtual one names its vendor here.
const DMI_FILES: [&str; 5] = [
    "/sys/class/dmi/id/product_name",
    "/sys/class/dmi/id/sys_vendor",
    "/sys/class/dmi/id/board_vendor",
    "/sys/class/dmi/id/bios_vendor",
    "/sys/class/dmi/id/product_version",
];

/// Vendors of virtual machines as they appear in DMI (the list systemd uses).
const VIRTUAL_VENDORS: [&str; 15] = [
    "Amazon EC2",
    "Apple Virtualization",
    "BHYVE",
    "Bochs",
    "Google Compute Engine",
    "Hyper-V",
    "innotek GmbH",
    "KubeVirt",
    "KVM",
    "OpenStack",
    "Oracle Corporation",
    "Parallels",
    "QEMU",
    "VMware",
    "Xen",
];

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "is_virtual",
        Native::new("os.is_virtual", vec![], Type::Bool, |context, _| {
            Ok(Value::Bool(is_virtual(context)))
        }),
    );

    registry.register(
        MODULE,
        "modinfo_loaded",
        Native::new(
            "os.modinfo_loaded",
            vec![Type::Str],
            Type::Bool,
            |context, args| {
                let module = arg_str(&args, 0)?;
                context.watch(Watch::File("/proc/modules".to_owned()));
                let modules = read(context, "/proc/modules")?;
                Ok(Value::Bool(modules.lines().any(|line| {
                    line.split_whitespace().next() == Some(module)
                })))
            },
        )
        .reactive(),
    );
}

/// The file's text, or a catchable error naming it.
pub(crate) fn read(context: &CallContext<'_>, path: &str) -> Result<String, CallError> {
    context
        .host
        .read_file(path)
        .map_err(|error| read_failed(path, &error))
}

/// The catchable error for a file that could not be read.
pub(crate) fn read_failed(path: &str, error: &std::io::Error) -> CallError {
    CallError::catchable(format!("cannot read {path}: {}", io_message(error)))
}

/// The kernel flags `hypervisor` on the CPUs of an x86 guest; elsewhere, and
/// for guests that hide the flag, DMI names the vendor. Unreadable files count
/// as "not virtual", since containers and non-x86 hosts lack some of them.
fn is_virtual(context: &CallContext<'_>) -> bool {
    let host = &context.host;
    let hypervisor_flag = host.read_file("/proc/cpuinfo").is_ok_and(|cpuinfo| {
        cpuinfo
            .lines()
            .filter(|line| line.starts_with("flags"))
            .any(|line| line.split_whitespace().any(|flag| flag == "hypervisor"))
    });
    hypervisor_flag
        || DMI_FILES.iter().any(|path| {
            host.read_file(path)
                .is_ok_and(|text| VIRTUAL_VENDORS.iter().any(|vendor| text.contains(vendor)))
        })
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::function::Watch;
    use mcl_compiler::value::Value;

    #[test]
    fn is_virtual_reads_the_cpu_flags_then_dmi() {
        let guest = MemoryHost::new().with_file("/proc/cpuinfo", "flags\t: fpu sse hypervisor\n");
        assert_eq!(
            call_on(&guest, "os", "is_virtual", vec![]).0,
            Ok(Value::Bool(true))
        );
        let qemu = MemoryHost::new()
            .with_file("/proc/cpuinfo", "flags\t: fpu sse\n")
            .with_file("/sys/class/dmi/id/sys_vendor", "QEMU\n");
        assert_eq!(
            call_on(&qemu, "os", "is_virtual", vec![]).0,
            Ok(Value::Bool(true))
        );
        let metal = MemoryHost::new()
            .with_file("/proc/cpuinfo", "flags\t: fpu sse\n")
            .with_file("/sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
        assert_eq!(
            call_on(&metal, "os", "is_virtual", vec![]).0,
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call_on(&MemoryHost::new(), "os", "is_virtual", vec![]).0,
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn modinfo_loaded_looks_at_the_first_column_and_watches() {
        let host = MemoryHost::new().with_file(
            "/proc/modules",
            "kvm_intel 372736 0 - Live 0x0\nkvm 1142784 1 kvm_intel, Live 0x0\n",
        );
        let (value, watches) = call_on(&host, "os", "modinfo_loaded", vec![s("kvm")]);
        assert_eq!(value, Ok(Value::Bool(true)));
        assert_eq!(watches, [Watch::File("/proc/modules".to_owned())]);
        assert_eq!(
            call_on(&host, "os", "modinfo_loaded", vec![s("Live")]).0,
            Ok(Value::Bool(false))
        );
        assert!(reactive("os", "modinfo_loaded"));
        assert!(catchable("os", "modinfo_loaded", vec![s("kvm")]).contains("/proc/modules"));
    }
}
