//! Topic `filesystem` (Filesystem APIs with POSIX semantics). One line per family below, in the order packs and the registry list
//! them: a family is one file in this folder plus one line here. The order feeds the registry
//! fingerprint in pack codes, so a new family goes at the end.

// Helpers only this topic uses: the operation language, its kernel runner and POSIX model, and
// the marked-call quiz built on them.
pub mod fsops;
pub mod fsquiz;

crate::family::registry::families! {
    sparse_seek => SparseSeek,
    append_offsets => AppendOffsets,
    rename => Rename,
    unlink_open => UnlinkOpen,
    open_flags => OpenFlags,
    truncate => Truncate,
    umask_mode => UmaskMode,
    dir_ops => DirOps,
    links => Links,
    path_resolution => PathResolution,
    read_loop => ReadLoop,
    buffered_writes => BufferedWrites,
    atomic_replace => AtomicReplace,
    fd_inheritance => FdInheritance,
}
