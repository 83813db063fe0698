#ifndef CHEGUI_POSIX_H
#define CHEGUI_POSIX_H

#include <stddef.h>
#include <sys/types.h>

/// copy_file_range(2) where the C library has it (Linux, glibc 2.27 and later): copies `length`
/// bytes from `source` at `*offset` to the current position of `target` inside the kernel, and
/// advances `*offset`. Returns -1 with errno ENOSYS where it is missing.
ssize_t hegui_copy_file_range(int source, off_t *offset, int target, size_t length);

#endif
