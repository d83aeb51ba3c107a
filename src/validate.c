/* placeholder: being written */
typedef int refund_placeholder_validate;
