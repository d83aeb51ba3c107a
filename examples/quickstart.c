#include <refund.h>
int main(void) { return 0; }
