#ifndef TRIAGE_CCURL_SHIM_H
#define TRIAGE_CCURL_SHIM_H
// Typed wrappers over libcurl's variadic calls, which Swift cannot call directly.
#include <curl/curl.h>

typedef size_t (*triage_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*triage_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);

typedef int (*triage_curl_prereq_cb)(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                                     int conn_primary_port, int conn_local_port);

static inline CURLcode triage_curl_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_data_cb(CURL *h, CURLoption o, triage_curl_data_cb v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode triage_curl_setopt_xferinfo_cb(CURL *h, triage_curl_xferinfo_cb v) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v);
}
// CURLOPT_PREREQFUNCTION (libcurl 7.80+): called once the connection is up, just before the
// request is sent.
static inline CURLcode triage_curl_setopt_prereq_cb(CURL *h, triage_curl_prereq_cb v) {
#if LIBCURL_VERSION_NUM >= 0x075000
    return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, v);
#else
    (void)h; (void)v;
    return CURLE_UNKNOWN_OPTION;
#endif
}
static inline CURLcode triage_curl_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode triage_curl_getinfo_pointer(CURL *h, CURLINFO i, void **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode triage_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLMcode triage_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
#endif
