import { listPrompts } from '../../chat/chats';
import { router, userProcedure } from '../init';

export const promptsRouter = router({
	list: userProcedure.query(({ ctx }) => listPrompts(ctx.locale))
});
