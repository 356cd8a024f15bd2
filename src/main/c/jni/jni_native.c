/* The JNI bridge for io.containerfs.linux.Native: the only file that
 * includes jni.h.  It turns Java byte arrays into an args_t, calls the core,
 * and turns a failure into a ContainerException that keeps the step (as a
 * number), the path, errno, the core's message and its exit status.
 *
 * Paths and words cross as byte[], encoded by Java in the file system's
 * charset (Native.encode), never as jstring: GetStringUTFChars gives modified
 * UTF-8, which spells U+0000 and every character outside the BMP differently
 * from the UTF-8 the kernel's file names are in (JNI spec, "Modified UTF-8
 * Strings"), so the overlay would name directories that do not exist.  The
 * one exception is asciiBytes and asciiStrings, which turn plain ASCII (no
 * NUL), where every one of those encodings agrees, and leave the rest to
 * Java. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "digest.h"
#include "nodes.h"
#include "real_directories.h"
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

/* What runContainer copied out of Java; freed in one place. */
struct copies {
    char **lowers, *upper, *work, *tmpdir, *hostname, **env, *home, *cwd;
    char **sources, **targets, **tmpfs_options;
    int nlowers, nenv, nsources, ntargets, noptions;
    unsigned int *groups;
    struct cfs_mount *mounts;
};

static void
free_copies(struct copies *c)
{
    free_strings(c->lowers, c->nlowers);
    free_strings(c->env, c->nenv);
    free_strings(c->sources, c->nsources);
    free_strings(c->targets, c->ntargets);
    free_strings(c->tmpfs_options, c->noptions);
    free(c->upper);
    free(c->work);
    free(c->tmpdir);
    free(c->hostname);
    free(c->home);
    free(c->cwd);
    free(c->groups);
    free(c->mounts);
}

/* The user's supplementary groups and the mounts, as args_t wants them.
 * Returns -1 with an exception pending. */
static int
copy_user_and_mounts(JNIEnv *env, args_t *args, struct copies *c, jintArray juser,
                     jintArray jgroups, jbooleanArray jread_only)
{
    jint user[3];
    jsize ngroups = (*env)->GetArrayLength(env, jgroups);
    jboolean *read_only;

    (*env)->GetIntArrayRegion(env, juser, 0, 3, user);
    c->groups = calloc((size_t)ngroups + 1, sizeof *c->groups);
    c->mounts = calloc((size_t)c->ntargets + 1, sizeof *c->mounts);
    if (c->groups == NULL || c->mounts == NULL) {
        throw_out_of_memory(env);
        return -1;
    }
    (*env)->GetIntArrayRegion(env, jgroups, 0, ngroups, (jint *)c->groups);
    args->user = user[0] != 0;
    args->uid = (unsigned int)user[1];
    args->gid = (unsigned int)user[2];
    args->groups = c->groups;
    args->ngroups = ngroups;
    read_only = (*env)->GetBooleanArrayElements(env, jread_only, NULL);
    if (read_only == NULL)
        return -1;
    for (int i = 0; i < c->ntargets; i++)
        c->mounts[i] = (struct cfs_mount){ .source = c->sources[i],
                                           .target = c->targets[i],
                                           .tmpfs_options = c->tmpfs_options[i],
                                           .read_only = read_only[i] == JNI_TRUE };
    (*env)->ReleaseBooleanArrayElements(env, jread_only, read_only, JNI_ABORT);
    args->mounts = c->mounts;
    args->nmounts = c->ntargets;
    return (*env)->ExceptionCheck(env) ? -1 : 0;
}

/* Native.runContainer: Native.run has checked the arguments (a command of at
 * least one word; arrays of one length for the mounts; null only where
 * optional) and holds the class lock, one container at a time, since the
 * signal dispositions the core takes over are per process.  Returns the
 * exit status, or throws. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_runContainer(
    JNIEnv *env, jclass cls, jobjectArray jlowers, jbyteArray jupper, jbyteArray jwork,
    jbyteArray jtmpdir, jobjectArray jcommand, jbyteArray jhostname, jlong cap_add, jlong cap_drop,
    jboolean privileged, jboolean no_new_privileges, jboolean seccomp_unconfined,
    jboolean network_none, jlongArray jlimits, jboolean stats, jobjectArray jenv, jboolean env_host,
    jbyteArray jhome, jbyteArray jcwd, jintArray juser, jintArray jgroups, jboolean tty,
    jboolean init, jobjectArray jsources, jobjectArray jtargets, jobjectArray jtmpfs_options,
    jbooleanArray jread_only, jboolean trace, jint null_stdio, jlong nofile)
{
    jlong limits[4] = { 0, 0, 0, 0 }; /* memory, memory + swap, pids, CPU quota */
    args_t args = {
        .cap_add = (unsigned long long)cap_add,
        .cap_drop = (unsigned long long)cap_drop,
        .privileged = privileged == JNI_TRUE,
        .no_new_privileges = no_new_privileges == JNI_TRUE,
        .seccomp_unconfined = seccomp_unconfined == JNI_TRUE,
        .network_none = network_none == JNI_TRUE,
        .stats = stats == JNI_TRUE,
        .env_host = env_host == JNI_TRUE,
        .tty = tty == JNI_TRUE,
        .init = init == JNI_TRUE,
        .read_only = jupper == NULL,
        .layers_resolved = 1, /* Container's contract: real paths, from LayerValidator */
        .trace = trace == JNI_TRUE,
        .null_stdio = null_stdio,
        .nofile = nofile > 0 ? (unsigned long long)nofile : 0,
    };
    struct copies c = { .lowers = NULL };
    int failed = 0, status = -1;
    cfs_error_t err;

    (void)cls;
    (*env)->GetLongArrayRegion(env, jlimits, 0, 4, limits);
    args.memory = limits[0];
    args.memory_swap = limits[1];
    args.pids_limit = limits[2];
    args.cpu_quota = limits[3];
    /* copy_bytes gives NULL for a null array, and sets failed when it cannot copy. */
    if (!(*env)->ExceptionCheck(env)
        && (c.lowers = copy_byte_arrays(env, jlowers, &c.nlowers)) != NULL
        && ((c.upper = copy_bytes(env, jupper, &failed)) != NULL || !failed)
        && ((c.work = copy_bytes(env, jwork, &failed)) != NULL || !failed)
        && (c.tmpdir = copy_bytes(env, jtmpdir, &failed)) != NULL
        && ((c.hostname = copy_bytes(env, jhostname, &failed)) != NULL || !failed)
        && ((c.home = copy_bytes(env, jhome, &failed)) != NULL || !failed)
        && ((c.cwd = copy_bytes(env, jcwd, &failed)) != NULL || !failed)
        && (c.env = copy_byte_arrays(env, jenv, &c.nenv)) != NULL
        && (c.sources = copy_byte_arrays(env, jsources, &c.nsources)) != NULL
        && (c.targets = copy_byte_arrays(env, jtargets, &c.ntargets)) != NULL
        && (c.tmpfs_options = copy_byte_arrays(env, jtmpfs_options, &c.noptions)) != NULL
        && (args.argv = copy_byte_arrays(env, jcommand, &args.argc)) != NULL
        && copy_user_and_mounts(env, &args, &c, juser, jgroups, jread_only) == 0) {
        args.lowers = (const char *const *)c.lowers;
        args.nlowers = c.nlowers;
        args.upper = c.upper;
        args.workdir = c.work;
        args.tmpdir = c.tmpdir;
        args.hostname = c.hostname;
        args.env = c.env;
        args.nenv = c.nenv;
        args.home = c.home;
        args.cwd = c.cwd;
        status = cfs_run_container(&args, &err);
        if (err.step != CFS_STEP_NONE)
            throw_container_error(env, &err);
    }
    free_strings(args.argv, args.argc);
    free_copies(&c);
    return status;
}

/* Native.realDirectoriesAt: the real path of every layer and whether it is
 * a directory, in one call, for LayerValidator; a Path, toRealPath and
 * isDirectory each took a cold JVM ~20 µs a layer.  Layers that share a
 * parent resolve it once (real_directories.c).  out[i] is the real path, or
 * null with errors[i] set.  Returns NULL with an exception pending when it
 * cannot. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_realDirectoriesAt(JNIEnv *env, jclass cls, jobjectArray jpaths,
                                                   jintArray jerrors)
{
    jsize n = (*env)->GetArrayLength(env, jpaths);
    jclass bytes_class = (*env)->FindClass(env, "[B");
    jobjectArray out;
    char real[PATH_MAX];
    struct cfs_real_parent parent = { .given = "" };
    int failed = 0;

    (void)cls;
    if (bytes_class == NULL || (out = (*env)->NewObjectArray(env, n, bytes_class, NULL)) == NULL)
        return NULL;
    for (jsize i = 0; i < n && !failed; i++) {
        jbyteArray jpath = (*env)->GetObjectArrayElement(env, jpaths, i), jreal = NULL;
        char *path = copy_bytes(env, jpath, &failed);
        jint errnum;

        if (jpath == NULL) {
            jclass npe = (*env)->FindClass(env, "java/lang/NullPointerException");
            if (npe != NULL)
                (*env)->ThrowNew(env, npe, "realDirectories: a path is null");
            return NULL;
        }
        (*env)->DeleteLocalRef(env, jpath);
        if (path == NULL) {
            failed = 1; /* out of memory: an exception is pending */
            break;
        }
        errnum = cfs_real_directory(&parent, path, real);
        free(path);
        if (errnum != 0) {
            (*env)->SetIntArrayRegion(env, jerrors, i, 1, &errnum);
            failed = (*env)->ExceptionCheck(env); /* errors shorter than paths */
        } else if ((jreal = new_bytes(env, real)) == NULL) {
            failed = 1;
        } else {
            (*env)->SetObjectArrayElement(env, out, i, jreal);
        }
        (*env)->DeleteLocalRef(env, jreal);
    }
    return failed ? NULL : out;
}

/* Whether every character is ASCII other than NUL (U+0001 to U+007F), which
 * UTF-8, modified UTF-8 and every ASCII-compatible charset write as itself;
 * then copies them to bytes. */
static int
ascii_chars(const jchar *chars, jsize n, jbyte *bytes)
{
    for (jsize i = 0; i < n; i++) {
        if (chars[i] == 0 || chars[i] > 0x7f)
            return 0;
        bytes[i] = (jbyte)chars[i];
    }
    return 1;
}

/* Whether every byte is ASCII other than NUL: 1 to 0x7f. */
static int
is_ascii_text(const char *text, jsize n)
{
    for (jsize i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == 0 || c > 0x7f)
            return 0;
    }
    return 1;
}

/* Native.asciiBytes: each word's bytes where it is all ASCII without NUL
 * (ascii_chars); null for any other word (or a null one), which Java
 * encodes.  One call for a list: a cold JVM's interpreter took about 2 µs a
 * word to check and copy the characters itself, per lower layer.  Returns
 * NULL with an exception pending when it cannot. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_asciiBytes(JNIEnv *env, jclass cls, jobjectArray jwords)
{
    jsize n = (*env)->GetArrayLength(env, jwords);
    jclass bytes_class = (*env)->FindClass(env, "[B");
    jobjectArray out;
    jchar chars[PATH_MAX];
    jbyte bytes[PATH_MAX];

    (void)cls;
    if (bytes_class == NULL || (out = (*env)->NewObjectArray(env, n, bytes_class, NULL)) == NULL)
        return NULL;
    for (jsize i = 0; i < n; i++) {
        jstring jword = (*env)->GetObjectArrayElement(env, jwords, i);
        jsize len = jword == NULL ? 0 : (*env)->GetStringLength(env, jword);
        jbyteArray jbytes;

        if (jword != NULL && len <= PATH_MAX) {
            (*env)->GetStringRegion(env, jword, 0, len, chars);
            if (ascii_chars(chars, len, bytes)) {
                if ((jbytes = (*env)->NewByteArray(env, len)) == NULL)
                    return NULL;
                (*env)->SetByteArrayRegion(env, jbytes, 0, len, bytes);
                (*env)->SetObjectArrayElement(env, out, i, jbytes);
                (*env)->DeleteLocalRef(env, jbytes);
            }
        }
        (*env)->DeleteLocalRef(env, jword);
    }
    return out;
}

/* Native.asciiStrings: the other way, each byte string as a String where it
 * is all ASCII without NUL (then modified UTF-8 too, as NewStringUTF takes
 * it); null for any other (or a null one), which Java decodes.  Returns NULL
 * with an exception pending when it cannot. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_asciiStrings(JNIEnv *env, jclass cls, jobjectArray jbytes_list)
{
    jsize n = (*env)->GetArrayLength(env, jbytes_list);
    jclass string_class = (*env)->FindClass(env, "java/lang/String");
    jobjectArray out;
    char text[PATH_MAX + 1];

    (void)cls;
    if (string_class == NULL || (out = (*env)->NewObjectArray(env, n, string_class, NULL)) == NULL)
        return NULL;
    for (jsize i = 0; i < n; i++) {
        jbyteArray jbytes = (*env)->GetObjectArrayElement(env, jbytes_list, i);
        jsize len = jbytes == NULL ? 0 : (*env)->GetArrayLength(env, jbytes);
        jstring jtext;

        if (jbytes != NULL && len <= PATH_MAX) {
            (*env)->GetByteArrayRegion(env, jbytes, 0, len, (jbyte *)text);
            if (is_ascii_text(text, len)) {
                text[len] = '\0';
                if ((jtext = (*env)->NewStringUTF(env, text)) == NULL)
                    return NULL;
                (*env)->SetObjectArrayElement(env, out, i, jtext);
                (*env)->DeleteLocalRef(env, jtext);
            }
        }
        (*env)->DeleteLocalRef(env, jbytes);
    }
    return out;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_effectiveUid(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)geteuid();
}

/* Throws the NodeException of step failing on path, errno as the call left
 * it: call it before free(3), which may change errno. */
static void
throw_node_error(JNIEnv *env, int step, const char *path)
{
    char message[PATH_MAX + 256];
    int errnum = errno;

    cfs_format_node_error(step, path, errnum, message, sizeof message);
    throw_native_error(env, NODE_EXCEPTION, NODE_FACTORY, step, path, errnum, message, 0);
}

/* The same, for a call that had only a descriptor: the path crosses for the
 * message only. */
static void
throw_node_error_at(JNIEnv *env, int step, jbyteArray jpath)
{
    int errnum = errno, failed = 0;
    char *path = copy_bytes(env, jpath, &failed);

    if (path == NULL)
        return;
    errno = errnum;
    throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_makeNodeAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                            jint major, jint minor, jint uid, jint gid,
                                            jlong mtime_sec, jint mtime_nsec)
{
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_make_node(path, (unsigned int)mode, (unsigned int)major, (unsigned int)minor, uid,
                         gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setMetadataAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                               jint uid, jint gid, jlong mtime_sec, jint mtime_nsec)
{
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_set_metadata(path, (unsigned int)mode, uid, gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_createFileAt(JNIEnv *env, jclass cls, jbyteArray jpath)
{
    int failed = 0, fd;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return -1;
    fd = cfs_create_file(path);
    if (fd < 0)
        throw_node_error(env, CFS_NODE_CREATE, path);
    free(path);
    return fd;
}

/* Through a buffer of our own, not the array itself: a write(2) can block
 * (a slow disk, NFS), and no critical region may outlast it.  Java has
 * checked offset and length against the array; GetByteArrayRegion checks
 * them again. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_writeFileAt(JNIEnv *env, jclass cls, jint fd, jbyteArray jpath,
                                             jbyteArray bytes, jint offset, jint length)
{
    char chunk[32 * 1024];

    (void)cls;
    while (length > 0) {
        jint n = length < (jint)sizeof chunk ? length : (jint)sizeof chunk;
        (*env)->GetByteArrayRegion(env, bytes, offset, n, (jbyte *)chunk);
        if ((*env)->ExceptionCheck(env))
            return; /* out of the array's bounds: ArrayIndexOutOfBoundsException pending */
        if (cfs_write_all(fd, chunk, (size_t)n) < 0) {
            throw_node_error_at(env, CFS_NODE_WRITE, jpath);
            return;
        }
        offset += n;
        length -= n;
    }
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_finishFileAt(JNIEnv *env, jclass cls, jint fd, jbyteArray jpath,
                                              jint mode, jint uid, jint gid, jlong mtime_sec,
                                              jint mtime_nsec)
{
    int step;

    (void)cls;
    step = cfs_finish_file(fd, (unsigned int)mode, uid, gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error_at(env, step, jpath);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_closeFile(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    close(fd);
}

/* The digest crosses JNI as a jlong holding its pointer; Sha2 keeps it and
 * hands it back, never twice to digestFinish. */
JNIEXPORT jlong JNICALL
Java_io_containerfs_linux_Native_digestNew(JNIEnv *env, jclass cls, jint bits)
{
    (void)env;
    (void)cls;
    return (jlong)(intptr_t)cfs_digest_new(bits);
}

JNIEXPORT jboolean JNICALL
Java_io_containerfs_linux_Native_digestUpdate(JNIEnv *env, jclass cls, jlong handle,
                                              jbyteArray bytes, jint offset, jint length)
{
    jbyte *data;
    int result;

    (void)cls;
    /* Sha2 has checked them; a caller that has not gets false, not a stray read. */
    if (handle == 0 || offset < 0 || length < 0
        || length > (*env)->GetArrayLength(env, bytes) - offset)
        return JNI_FALSE;
    /* Critical: no copy of the array; nothing between Get and Release calls
     * back into the JVM. */
    data = (*env)->GetPrimitiveArrayCritical(env, bytes, NULL);
    if (data == NULL)
        return JNI_FALSE; /* OutOfMemoryError pending */
    result
        = cfs_digest_update((struct cfs_digest *)(intptr_t)handle, data + offset, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, bytes, data, JNI_ABORT);
    return result == 0 ? JNI_TRUE : JNI_FALSE;
}

/* The digest's bytes, or null when libcrypto failed; frees the digest. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_digestFinish(JNIEnv *env, jclass cls, jlong handle)
{
    unsigned char out[64];
    jbyteArray bytes;
    int length;

    (void)cls;
    if (handle == 0)
        return NULL;
    length = cfs_digest_finish((struct cfs_digest *)(intptr_t)handle, out, sizeof out);
    if (length < 0)
        return NULL;
    bytes = (*env)->NewByteArray(env, length);
    if (bytes != NULL)
        (*env)->SetByteArrayRegion(env, bytes, 0, length, (const jbyte *)out);
    return bytes;
}
