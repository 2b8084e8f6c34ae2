/** How many chats a list page, and how many messages a chat page, shows at once. */
export const PAGE_SIZE = 50;
