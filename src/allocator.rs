//! Tuning glibc's allocator for how mgmt allocates.
//!
//! The work runs on a spawned thread (for its large stack). glibc gives such
//! a thread its own arena, which grows one page per `mprotect` call: a
//! compile of a thousand resources made about a thousand of them and spent a
//! third of its time in the kernel. One arena for all threads (the main one,
//! grown with `brk` in steps of `TOP_PAD`) removes that; mgmt's threads
//! allocate little at the same time, so sharing costs nothing measurable.
//! Memory never touched is not resident, so peak RSS does not grow.

/// Bytes kept free at the top of the arena before it is trimmed.
const TRIM_THRESHOLD: libc::c_int = 16 << 20;
/// Bytes added beyond a request when the arena grows.
const TOP_PAD: libc::c_int = 1 << 20;

pub fn tune() {
    // SAFETY: mallopt only sets allocator parameters; it is called once at
    // start-up, before any other thread exists.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_TOP_PAD, TOP_PAD);
    }
}
