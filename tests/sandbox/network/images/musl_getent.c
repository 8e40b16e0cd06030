/*
 * A stand-in for Alpine's `getent` (package musl-utils), written for the sandbox and linked
 * against musl with musl-gcc, so probes resolve names with musl's own resolver (parallel A and
 * AAAA queries, musl's search-list and ndots handling), as they do in agnhost and other Alpine
 * images.
 *
 * Behaviour imitated from alpinelinux/aports main/musl/getent.c (versions 93a08815 and b57557e5
 * of that file): exit 0 found, 1 usage or unknown database, 2 not found;
 *   hosts KEY   : an address literal via gethostbyaddr, else gethostbyname2(AF_INET6) then
 *                 gethostbyname2(AF_INET); prints ONLY the first address, "%-16s  %s" + aliases;
 *   ahosts KEY  : getaddrinfo(AF_UNSPEC, AI_ADDRCONFIG | AI_CANONNAME), one "%-15s %-6s %s" line
 *                 per result (ahostsv4: AF_INET, ahostsv6: AF_INET6 + AI_V4MAPPED).
 * Built without -DWITH_AHOSTS it knows only `hosts`, like Alpine's getent before `ahosts` was
 * added (the 2018 usage text lists "ethers group hosts networks passwd protocols services
 * shells"): `getent ahosts x` then prints the usage and exits 1.
 * Only the host databases matter to the probe; the others are not imitated.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { RV_OK = 0, RV_USAGE = 1, RV_NOTFOUND = 2 };

static const char *databases[] = {
    "hosts",
#ifdef WITH_AHOSTS
    "ahosts", "ahostsv4", "ahostsv6",
#endif
    NULL,
};

static int usage(const char *arg0)
{
    fprintf(stderr, "Usage: %s database [key ...]\n\tdatabase may be one of:\n\t\t", arg0);
    for (int i = 0; databases[i]; i++)
        fprintf(stderr, "%s%s", i ? " " : "", databases[i]);
    fprintf(stderr, "\n");
    return RV_USAGE;
}

static void print_host(const struct hostent *he)
{
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(he->h_addrtype, he->h_addr_list[0], buf, sizeof buf) == NULL)
        strcpy(buf, "# unknown");
    printf("%-16s  %s", buf, he->h_name);
    for (char **alias = he->h_aliases; alias && *alias; alias++)
        printf("%s%s", alias == he->h_aliases ? "  " : " ", *alias);
    printf("\n");
}

static int hosts(int argc, char **argv)
{
    unsigned char addr[16];
    for (int i = 2; i < argc; i++) {
        struct hostent *he;
        if (inet_pton(AF_INET6, argv[i], addr) > 0)
            he = gethostbyaddr(addr, 16, AF_INET6);
        else if (inet_pton(AF_INET, argv[i], addr) > 0)
            he = gethostbyaddr(addr, 4, AF_INET);
        else if ((he = gethostbyname2(argv[i], AF_INET6)) == NULL)
            he = gethostbyname2(argv[i], AF_INET);
        if (he == NULL)
            return RV_NOTFOUND;
        print_host(he);
    }
    return RV_OK;
}

#ifdef WITH_AHOSTS
static int ahosts(int family, int flags, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        struct addrinfo hint = {.ai_family = family,
                                .ai_flags = AI_ADDRCONFIG | AI_CANONNAME | flags};
        struct addrinfo *res;
        if (getaddrinfo(argv[i], NULL, &hint, &res) != 0)
            return RV_NOTFOUND;
        for (struct addrinfo *r = res; r; r = r->ai_next) {
            char buf[INET6_ADDRSTRLEN];
            const void *a;
            if (r->ai_family == AF_INET)
                a = &((struct sockaddr_in *)r->ai_addr)->sin_addr;
            else if (r->ai_family == AF_INET6)
                a = &((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;
            else
                continue;
            const char *kind = r->ai_socktype == SOCK_STREAM  ? "STREAM"
                               : r->ai_socktype == SOCK_DGRAM ? "DGRAM"
                               : r->ai_socktype == SOCK_RAW   ? "RAW"
                                                              : "?";
            inet_ntop(r->ai_family, a, buf, sizeof buf);
            printf("%-15s %-6s %s\n", buf, kind, r->ai_canonname ? r->ai_canonname : "");
        }
        freeaddrinfo(res);
    }
    return RV_OK;
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(argv[0]);
    if (strcmp(argv[1], "hosts") == 0)
        return hosts(argc, argv);
#ifdef WITH_AHOSTS
    if (strcmp(argv[1], "ahosts") == 0)
        return ahosts(AF_UNSPEC, 0, argc, argv);
    if (strcmp(argv[1], "ahostsv4") == 0)
        return ahosts(AF_INET, 0, argc, argv);
    if (strcmp(argv[1], "ahostsv6") == 0)
        return ahosts(AF_INET6, AI_V4MAPPED, argc, argv);
#endif
    /* warn(3) as musl prints it: errno is 0 here, strerror(0) is "No error information" */
    fprintf(stderr, "getent: Unknown database `%s': No error information\n", argv[1]);
    return usage(argv[0]);
}
