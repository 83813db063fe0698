#define _GNU_SOURCE
#include "CHeguiPosix.h"

#include <errno.h>
#include <unistd.h>

ssize_t hegui_copy_file_range(int source, off_t *offset, int target, size_t length) {
#if defined(__linux__)
    loff_t from = *offset;
    ssize_t copied = copy_file_range(source, &from, target, NULL, length, 0);
    if (copied > 0) *offset = (off_t)from;
    return copied;
#else
    (void)source; (void)offset; (void)target; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}
