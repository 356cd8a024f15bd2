/* --network none: the container gets a network namespace of its own
 * (clone_and_wait in container.c asks for it), with only a loopback device. */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "network.h"

/* --network none: a new network namespace has only a loopback device, and
 * it is down (network_namespaces(7)); programs expect 127.0.0.1 to work. */
int
cfs_bring_up_loopback(const args_t *args, cfs_error_t *err)
{
    struct ifreq ifr;
    int fd;

    if (!args->network_none)
        return 0;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        cfs_fail(err, CFS_STEP_NETWORK, "lo");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
        cfs_fail(err, CFS_STEP_NETWORK, "lo");
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}
