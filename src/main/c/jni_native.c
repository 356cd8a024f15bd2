/* The JNI bridge for io.containerfs.linux.Native: the only file that
 * includes jni.h.  It turns Java byte arrays into an args_t, calls the core,
 * and turns a failure into a ContainerException that keeps the step (as a
 * number), the path, errno, the core's message and its exit status.
 *
 * Paths and words cross as byte[], encoded by Java in the file system's
 * charset (Native.encode), never as jstring: GetStringUTFChars gives modified
 * UTF-8, which spells U+0000 and every character outside the BMP differently
 * from the UTF-8 the kernel's file names are in (JNI spec, "Modified UTF-8
 * Strings"), so the overlay would name directories that do not exist. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "nodes.h"
#include "io_containerfs_linux_Native.h"

#define CONTAINER_EXCEPTION "io/containerfs/linux/ContainerException"
#define CONTAINER_FACTORY "(I[BI[BI)Lio/containerfs/linux/ContainerException;"
#define NODE_EXCEPTION "io/containerfs/linux/NodeException"
#define NODE_FACTORY "(I[BI[B)Lio/containerfs/linux/NodeException;"

static jbyteArray
new_bytes(JNIEnv *env, const char *s)
{
    jsize n = (jsize)strlen(s);
    jbyteArray bytes = (*env)->NewByteArray(env, n);

    if (bytes != NULL)
        (*env)->SetByteArrayRegion(env, bytes, 0, n, (const jbyte *)s);
    return bytes;
}

/* Throws CLASS.fromNative(step, path, errno, message[, exit status]): the
 * path and the message hold file names, so they cross as bytes.  A pending
 * error (no such class or method, out of memory) is left to propagate. */
static void
throw_native_error(JNIEnv *env, const char *class_name, const char *signature, int step,
                   const char *path, int errnum, const char *message, int exit_status)
{
    jclass cls = (*env)->FindClass(env, class_name);
    jmethodID factory;
    jbyteArray jpath, jmessage;
    jobject ex;

    if (cls == NULL)
        return;
    factory = (*env)->GetStaticMethodID(env, cls, "fromNative", signature);
    if (factory == NULL || (jpath = new_bytes(env, path)) == NULL
        || (jmessage = new_bytes(env, message)) == NULL)
        return;
    ex = (*env)->CallStaticObjectMethod(env, cls, factory, (jint)step, jpath, (jint)errnum,
                                        jmessage, (jint)exit_status);
    if (ex != NULL && !(*env)->ExceptionCheck(env))
        (*env)->Throw(env, ex);
}

static void
throw_container_error(JNIEnv *env, const cfs_error_t *err)
{
    char message[sizeof err->path + 512];

    cfs_format_error(err, message, sizeof message);
    throw_native_error(env, CONTAINER_EXCEPTION, CONTAINER_FACTORY, err->step, err->path, err->err,
                       message, cfs_exit_status(err));
}

static void
throw_out_of_memory(JNIEnv *env)
{
    cfs_error_t err;

    cfs_set_error(&err, CFS_STEP_PREPARE, "", ENOMEM);
    throw_container_error(env, &err);
}

static void
free_strings(char **strings, int n)
{
    if (strings == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}

/* A malloc'd, NUL-terminated copy of a byte[] (Java has refused NULs in it),
 * or NULL for a null array.  Sets *failed, with an exception pending, when
 * it cannot. */
static char *
copy_bytes(JNIEnv *env, jbyteArray bytes, int *failed)
{
    jsize n;
    char *out;

    if (bytes == NULL)
        return NULL;
    n = (*env)->GetArrayLength(env, bytes);
    out = malloc((size_t)n + 1);
    if (out == NULL) {
        throw_out_of_memory(env);
        *failed = 1;
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *)out);
    out[n] = '\0';
    return out;
}

/* A calloc'd, NULL-terminated copy of a byte[][]: the argv execvp wants.
 * Returns NULL with an exception pending. */
static char **
copy_byte_arrays(JNIEnv *env, jobjectArray array, int *count)
{
    int n = (*env)->GetArrayLength(env, array);
    char **out = calloc((size_t)n + 1, sizeof *out);
    int failed = 0;

    if (out == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    for (int i = 0; i < n && !failed; i++) {
        jbyteArray bytes = (*env)->GetObjectArrayElement(env, array, i);
        out[i] = copy_bytes(env, bytes, &failed);
        (*env)->DeleteLocalRef(env, bytes);
    }
    if (failed) {
        free_strings(out, n);
        return NULL;
    }
    *count = n;
    return out;
}

/* Native.runContainer: Native.run has checked the arguments (none null but
 * work, a command of at least one word) and holds the class lock, one
 * container at a time, since the signal dispositions the core takes over are
 * per process.  Returns the exit status, or throws. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_runContainer(
    JNIEnv *env, jclass cls, jobjectArray jlowers, jbyteArray jupper, jbyteArray jwork,
    jbyteArray jtmpdir, jobjectArray jcommand, jbyteArray jhostname, jlong cap_add, jlong cap_drop,
    jboolean privileged, jboolean no_new_privileges, jboolean seccomp_unconfined,
    jlongArray jlimits, jboolean stats, jboolean trace, jint null_stdio, jlong nofile)
{
    jlong limits[4] = { 0, 0, 0, 0 }; /* memory, memory + swap, pids, CPU quota */
    args_t args = {
        .cap_add = (unsigned long long)cap_add,
        .cap_drop = (unsigned long long)cap_drop,
        .privileged = privileged == JNI_TRUE,
        .no_new_privileges = no_new_privileges == JNI_TRUE,
        .seccomp_unconfined = seccomp_unconfined == JNI_TRUE,
        .stats = stats == JNI_TRUE,
        .trace = trace == JNI_TRUE,
        .null_stdio = null_stdio,
        .nofile = nofile > 0 ? (unsigned long long)nofile : 0,
    };
    char **lowers = NULL, *upper = NULL, *work = NULL, *tmpdir = NULL, *hostname = NULL;
    int failed = 0, status = -1;
    cfs_error_t err;

    (void)cls;
    (*env)->GetLongArrayRegion(env, jlimits, 0, 4, limits);
    args.memory = limits[0];
    args.memory_swap = limits[1];
    args.pids_limit = limits[2];
    args.cpu_quota = limits[3];
    if (!(*env)->ExceptionCheck(env)
        && (lowers = copy_byte_arrays(env, jlowers, &args.nlowers)) != NULL
        && (upper = copy_bytes(env, jupper, &failed)) != NULL
        && ((work = copy_bytes(env, jwork, &failed)) != NULL || !failed)
        && (tmpdir = copy_bytes(env, jtmpdir, &failed)) != NULL
        && ((hostname = copy_bytes(env, jhostname, &failed)) != NULL || !failed)
        && (args.argv = copy_byte_arrays(env, jcommand, &args.argc)) != NULL) {
        args.lowers = (const char *const *)lowers;
        args.upper = upper;
        args.workdir = work;
        args.tmpdir = tmpdir;
        args.hostname = hostname;
        status = cfs_run_container(&args, &err);
        if (err.step != CFS_STEP_NONE)
            throw_container_error(env, &err);
    }
    free_strings(args.argv, args.argc);
    free_strings(lowers, args.nlowers);
    free(upper);
    free(work);
    free(tmpdir);
    free(hostname);
    return status;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_effectiveUid(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)geteuid();
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_makeNodeAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                            jint major, jint minor, jint uid, jint gid,
                                            jlong mtime_sec, jint mtime_nsec)
{
    char message[PATH_MAX + 256];
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_make_node(path, (unsigned int)mode, (unsigned int)major, (unsigned int)minor, uid,
                         gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE) {
        int errnum = errno;
        cfs_format_node_error(step, path, errnum, message, sizeof message);
        throw_native_error(env, NODE_EXCEPTION, NODE_FACTORY, step, path, errnum, message, 0);
    }
    free(path);
}
