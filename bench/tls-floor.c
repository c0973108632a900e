/*
 * The floor under an idle TLS connection: a minimal OpenSSL server in C that accepts N connections, completes
 * each handshake and keeps the connection open, then reports how much its RSS grew per connection. It uses the
 * same settings as the node's TAK port (no session tickets, no session cache, record buffers released when idle)
 * and nothing else: no event loop, no per-connection objects of its own. Driven by bench/tls-floor.ts, which
 * builds it with the system compiler and OpenSSL headers.
 *
 *   tls-floor <cert.pem> <key.pem> <ca.pem> <n> <require-client-cert 0|1>
 * prints the listening port on stdout, then one JSON line with the result on stdout after N connections.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kib = atol(line + 6);
  if (f) fclose(f);
  return kib;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: tls-floor cert key ca n mtls\n"); return 2; }
  int n = atoi(argv[4]), mtls = atoi(argv[5]);
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!SSL_CTX_use_certificate_chain_file(ctx, argv[1]) || !SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) ||
      !SSL_CTX_load_verify_locations(ctx, argv[3], NULL)) { ERR_print_errors_fp(stderr); return 1; }
  if (mtls) SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

  int srv = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(srv, (struct sockaddr *)&addr, sizeof addr) || listen(srv, 4096) || getsockname(srv, (struct sockaddr *)&addr, &len)) {
    perror("listen");
    return 1;
  }
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);

  malloc_trim(0);
  long before = rss_kib();
  int ok = 0;
  for (int i = 0; i < n; i++) {
    int fd = accept(srv, NULL, NULL);
    SSL *ssl = SSL_new(ctx);  /* kept: the connection stays open and idle */
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) ok++; else ERR_print_errors_fp(stderr);
  }
  sleep(1);
  malloc_trim(0);
  printf("{\"ok\":%d,\"beforeKiB\":%ld,\"afterKiB\":%ld,\"openssl\":\"%s\"}\n", ok, before, rss_kib(), OpenSSL_version(OPENSSL_VERSION));
  fflush(stdout);
  pause();  /* the driver kills this process once it has read the line */
  return 0;
}
