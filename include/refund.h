/**
 * @file refund.h
 * @brief librefund: POS terminal deposit refunds (POS机押金退还).
 *
 * The umbrella header: include this one.  Store implementers also include
 * refund/sys/store.h.
 */
#ifndef REFUND_H
#define REFUND_H

#include "refund/common.h"
#include "refund/actor.h"
#include "refund/engine.h"
#include "refund/store.h"
#include "refund/money.h"
#include "refund/time.h"
#include "refund/calendar.h"
#include "refund/deposit.h"
#include "refund/policy.h"
#include "refund/case.h"
#include "refund/event.h"
#include "refund/deadline.h"

#endif /* REFUND_H */
