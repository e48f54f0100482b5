/* spawn_bare.c: the yardstick for bench/exec.py: run PROGRAM ARG N times
 * with plain fork+execv, at most C at once, reaping with waitpid.  No
 * pipes, no environment, no event loop: the cost herd is compared with.
 * Usage: spawn_bare N C PROGRAM ARG */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: spawn_bare N C PROGRAM ARG\n");
        return 2;
    }
    int n = atoi(argv[1]), c = atoi(argv[2]), running = 0, started = 0, failed = 0;
    char *args[] = {argv[3], argv[4], NULL};
    while (started < n || running > 0) {
        while (started < n && running < c) {
            pid_t pid = fork();
            if (pid == 0) {
                execv(args[0], args);
                _exit(127);
            }
            if (pid < 0)
                return 1;
            started++;
            running++;
        }
        int st;
        if (wait(&st) > 0) {
            running--;
            failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
    }
    return failed ? 1 : 0;
}
