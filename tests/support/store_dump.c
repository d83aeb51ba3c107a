typedef int placeholder_store_dump;
