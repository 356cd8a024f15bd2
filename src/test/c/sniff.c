/* `sniff SECONDS MARKER`: reads every packet an AF_PACKET socket gets
 * (packet(7), ETH_P_ALL) for SECONDS and prints "seen" as soon as one holds
 * MARKER, else "not seen" at the end.  Built with `musl-gcc -static` by
 * NetworkIT, which sends MARKER to the host's 127.0.0.1 meanwhile: on the
 * host's network with NET_RAW a container reads it, on its own network it
 * cannot.  Prints "listening" once the socket is open.  Not part of
 * container-fs. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    struct timeval slice = { .tv_sec = 0, .tv_usec = 200000 };
    char packet[65536];
    time_t end;
    int fd;

    if (argc != 3)
        return 2;
    fd = socket(AF_PACKET, SOCK_RAW, htons(0x0003));
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice) < 0) {
        printf("socket: %s\n", strerror(errno));
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    end = time(NULL) + atoi(argv[1]);
    while (time(NULL) < end) {
        ssize_t n = recv(fd, packet, sizeof packet, 0);

        if (n > 0 && memmem(packet, (size_t)n, argv[2], strlen(argv[2])) != NULL) {
            printf("seen\n");
            return 0;
        }
    }
    printf("not seen\n");
    return 1;
}
