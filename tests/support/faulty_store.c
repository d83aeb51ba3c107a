typedef int placeholder_faulty_store;
