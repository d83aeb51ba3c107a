/**
 * @file refund/common.h
 * @brief Export macro, version, languages, error codes and refund_strerror().
 *
 * Every fallible function of librefund returns an `int`: 0 on success or one
 * of the negative ::refund_error codes below.  The values are part of the ABI:
 * they are fixed, never renumbered and never reused.
 */
#ifndef REFUND_COMMON_H
#define REFUND_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * @def REFUND_API
 * Marks a symbol as part of the public ABI; everything else is hidden.
 */
#if defined(_WIN32) && defined(REFUND_BUILDING_DLL)
#  define REFUND_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(REFUND_STATIC)
#  define REFUND_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define REFUND_API __attribute__((visibility("default")))
#else
#  define REFUND_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Major version: changes only with an incompatible ABI (never, we hope). */
#define REFUND_VERSION_MAJOR 1
/** Minor version: new functions, appended struct fields. */
#define REFUND_VERSION_MINOR 0
/** Patch version: fixes only. */
#define REFUND_VERSION_PATCH 0
/** The version as a string. */
#define REFUND_VERSION_STRING "1.0.0"
/** The version as one comparable number: major * 10000 + minor * 100 + patch. */
#define REFUND_VERSION_NUMBER \
	(REFUND_VERSION_MAJOR * 10000 + REFUND_VERSION_MINOR * 100 + REFUND_VERSION_PATCH)

/**
 * The version of the library actually linked, which may be newer than the
 * headers a host was compiled against.
 *
 * @return a static string such as "1.0.0"; never NULL, never freed.
 */
REFUND_API const char *refund_version(void);

/**
 * The linked version as REFUND_VERSION_NUMBER would give it.
 *
 * @return major * 10000 + minor * 100 + patch.
 */
REFUND_API int refund_version_number(void);

/** Seconds since 1970-01-01T00:00:00Z.  Every time in the API is one. */
typedef int64_t refund_time;

/** "No time": an optional time that is absent (for example no contract end). */
#define REFUND_TIME_NONE INT64_MIN

/** The earliest time the library accepts: 1970-01-01T00:00:00Z. */
#define REFUND_TIME_MIN INT64_C(0)

/** The latest time the library accepts: 9999-12-31T23:59:59Z. */
#define REFUND_TIME_MAX INT64_C(253402300799)

/** Languages for messages. */
typedef enum refund_lang {
	REFUND_LANG_EN = 0,    /**< English. */
	REFUND_LANG_ZH_CN = 1  /**< Simplified Chinese (zh-CN). */
} refund_lang;

/**
 * Error codes.  Functions return 0 or one of these; the values are fixed
 * forever.  After a failure the engine keeps a detailed message, see
 * refund_engine_errmsg().
 */
typedef enum refund_error {
	REFUND_OK = 0,            /**< Success. */
	REFUND_EINVAL = -1,       /**< An argument is invalid (NULL, malformed, out of range). */
	REFUND_ENOMEM = -2,       /**< An allocation failed; nothing was changed. */
	REFUND_ENOTFOUND = -3,    /**< No such record (deposit, case, calendar, currency...). */
	REFUND_EEXISTS = -4,      /**< A record with that id exists already. */
	REFUND_ESTATE = -5,       /**< The action is not allowed in the current state. */
	REFUND_EDENIED = -6,      /**< The actor's role may not take this action. */
	REFUND_ECONFLICT = -7,    /**< Someone else changed the record first (stale version). */
	REFUND_EDEADLINE = -8,    /**< A deadline or application window has passed. */
	REFUND_EDUPLICATE = -9,   /**< A second open application for the same deposit. */
	REFUND_ESTORE = -10,      /**< The store failed (I/O error); nothing was changed. */
	REFUND_EUSER = -11,       /**< A host callback failed; see the host's own error. */
	REFUND_ECORRUPT = -12,    /**< Stored or supplied bytes are malformed. */
	REFUND_EOVERFLOW = -13,   /**< An amount would overflow int64. */
	REFUND_ECURRENCY = -14,   /**< Unknown currency, or currencies do not match. */
	REFUND_ECALENDAR = -15,   /**< The calendar has no data for a date it was asked about. */
	REFUND_ENOTSUP = -16,     /**< The store does not provide an optional operation. */
	REFUND_EVERSION = -17,    /**< A versioned struct has an unknown version. */
	REFUND_EBUSY = -18,       /**< The store is busy; the call may be retried. */
	REFUND_EBALANCE = -19,    /**< The ledger would break held = refunded + deducted + remaining. */
	REFUND_EPARSE = -20,      /**< Text could not be parsed (money, time, policy...). */
	REFUND_ERANGE = -21,      /**< An output buffer is too small. */
	REFUND_EEVIDENCE = -22    /**< Required evidence (证明材料) is missing. */
} refund_error;

/**
 * A short, static description of an error code.
 *
 * @param code a ::refund_error value (0 or negative).
 * @param lang the language of the text.
 * @return a static string, never NULL, never freed; an unknown code or
 *         language gives a generic "unknown error" text in English.
 */
REFUND_API const char *refund_strerror(int code, refund_lang lang);

/**
 * The symbolic name of an error code, such as "REFUND_EINVAL".
 *
 * @param code a ::refund_error value.
 * @return a static string, never NULL; "REFUND_E?" for an unknown code.
 */
REFUND_API const char *refund_error_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_COMMON_H */
